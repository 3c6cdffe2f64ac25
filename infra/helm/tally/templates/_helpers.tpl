{{/* The chart's name, cut to 63 characters (a DNS label). */}}
{{- define "tally.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: release-chart, or the release name when it already holds the chart's. */}}
{{- define "tally.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tally.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tally.labels" -}}
helm.sh/chart: {{ include "tally.chart" . }}
{{ include "tally.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tally
{{- end }}

{{- define "tally.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tally.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* A service's component name: adminUi → admin-ui. Called with (dict "key" $key). */}}
{{- define "tally.component" -}}
{{- if eq .key "adminUi" }}admin-ui{{ else }}{{ .key }}{{ end }}
{{- end }}

{{/* Labels of one service's objects. Called with (dict "root" $ "key" $key). */}}
{{- define "tally.componentLabels" -}}
{{ include "tally.labels" .root }}
app.kubernetes.io/component: {{ include "tally.component" . }}
{{- end }}

{{- define "tally.componentSelector" -}}
{{ include "tally.selectorLabels" .root }}
app.kubernetes.io/component: {{ include "tally.component" . }}
{{- end }}

{{/* The image of one service: registry/prefix<service>[-native]:tag. Called with (dict "root" $ "key" $key). */}}
{{- define "tally.image" -}}
{{- $img := .root.Values.image }}
{{- $suffix := ternary "-native" "" (eq $img.flavor "native") }}
{{- printf "%s/%s%s%s:%s" $img.registry $img.repositoryPrefix (include "tally.component" .) $suffix (default .root.Chart.AppVersion $img.tag) }}
{{- end }}

{{- define "tally.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tally.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
