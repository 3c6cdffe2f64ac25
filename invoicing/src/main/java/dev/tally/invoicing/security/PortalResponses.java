package dev.tally.invoicing.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;

/**
 * What a customer portal session reads is the customer's, not the tenant's back office: the JSON answers to a portal
 * token leave out who did what at the tenant (which key finalized or voided an invoice, who proposed or decided a credit
 * note and why), the tenant's internal ids and payment references. The same routes answer the tenant's keys in full.
 */
@Provider
public class PortalResponses implements WriterInterceptor {
    static final Set<String> INTERNAL = Set.of("finalizedBy", "voidedBy", "createdBy", "decidedBy", "decisionNote", "triggeredBy", "updatedBy",
            "customerId", "subscriptionId", "paymentReference", "refundId", "usageVersion", "usagePerDay", "event", "adjustmentUsage", "providerRefundId", "creditedGrantId", "failure");

    @Inject
    ObjectMapper json;

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
        Object caller = context.getProperty(Caller.PROPERTY);
        MediaType type = context.getMediaType();
        if (!(caller instanceof Caller c) || !"portal".equals(c.role()) || type == null || !type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            context.proceed();
            return;
        }
        OutputStream out = context.getOutputStream();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        context.setOutputStream(buffer);
        context.proceed();
        JsonNode tree = json.readTree(buffer.toByteArray());
        strip(tree);
        out.write(json.writeValueAsBytes(tree));
        context.setOutputStream(out);
    }

    static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(INTERNAL);
        }
        node.forEach(PortalResponses::strip);
    }
}
