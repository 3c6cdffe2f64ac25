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

{{/* PostgreSQL's JDBC URL: postgres.url, or the CloudNativePG cluster's read-write Service. */}}
{{- define "tally.postgresUrl" -}}
{{- if .Values.postgres.url }}
{{- .Values.postgres.url }}
{{- else if .Values.inCluster.postgres.enabled }}
{{- printf "jdbc:postgresql://%s-pg-rw:5432/%s" (include "tally.fullname" .) .Values.inCluster.postgres.database }}
{{- else }}
{{- required "postgres.url is required (jdbc:postgresql://host:5432/tally), or inCluster.postgres.enabled" "" }}
{{- end }}
{{- end }}

{{/* The Secret with PostgreSQL's user and password: postgres.existingSecret, or the one CloudNativePG creates. */}}
{{- define "tally.postgresSecret" -}}
{{- if .Values.postgres.existingSecret }}
{{- .Values.postgres.existingSecret }}
{{- else if .Values.inCluster.postgres.enabled }}
{{- printf "%s-pg-app" (include "tally.fullname" .) }}
{{- else }}
{{- required "postgres.existingSecret is required, or inCluster.postgres.enabled" "" }}
{{- end }}
{{- end }}

{{/* Kafka's bootstrap servers: kafka.bootstrapServers, or the Strimzi cluster's bootstrap Service. */}}
{{- define "tally.kafkaBootstrap" -}}
{{- if .Values.kafka.bootstrapServers }}
{{- .Values.kafka.bootstrapServers }}
{{- else if .Values.inCluster.kafka.enabled }}
{{- printf "%s-kafka-kafka-bootstrap:9092" (include "tally.fullname" .) }}
{{- else }}
{{- required "kafka.bootstrapServers is required, or inCluster.kafka.enabled" "" }}
{{- end }}
{{- end }}

{{/* The platform's topics: shared-model's Topics.ALL, name, partitions and compaction (HelmChartTest compares them). */}}
{{- define "tally.topics" -}}
- {name: tally.events.raw, partitions: 4, compacted: false}
- {name: tally.events.dead, partitions: 4, compacted: false}
- {name: tally.events.accepted, partitions: 4, compacted: false}
- {name: tally.usage.rated, partitions: 4, compacted: false}
- {name: tally.catalog, partitions: 1, compacted: true}
- {name: tally.watermarks, partitions: 1, compacted: true}
- {name: tally.invoices, partitions: 4, compacted: false}
- {name: tally.alerts, partitions: 4, compacted: false}
{{- end }}
