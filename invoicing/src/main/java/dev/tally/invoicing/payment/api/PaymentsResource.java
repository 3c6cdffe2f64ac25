package dev.tally.invoicing.payment.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.terms.RefundStatus;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;

/**
 * The tenant's payment provider (offline or Stripe; its secrets are write-only) and its refunds. With the
 * offline provider a refund stays pending until the money is sent back by hand and recorded here.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class PaymentsResource {
    @Inject
    DataSource dataSource;
    @Inject
    PaymentProviders providers;
    @Context
    ContainerRequestContext request;

    @Inject
    Clock clock;

    /** {@code provider}: offline or stripe; for Stripe its secret key and the webhook endpoint's signing secret. */
    public record ProviderSettings(String provider, String apiKey, String webhookSecret) {
    }

    public record RecordRefund(String reference) {
    }

    public record RefundList(List<PaymentProviders.Refund> refunds) {
    }

    @GET
    @Path("/payment-provider")
    @Transactional
    public PaymentProviders.View provider() throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return providers.view(c, tenant);
        }
    }

    @PUT
    @Path("/payment-provider")
    @Transactional
    public PaymentProviders.View configure(ProviderSettings body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        Checks.required(body.provider(), "provider");
        try (Connection c = dataSource.getConnection()) {
            return providers.configure(c, caller.tenant(), body.provider(), body.apiKey(), body.webhookSecret(), caller.actor(), clock.instant());
        }
    }

    @GET
    @Path("/refunds")
    @Transactional
    public RefundList refunds(@QueryParam("invoice") String invoiceId) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return new RefundList(providers.refunds(c, "tenant_id = ? and (?::text is null or invoice_id = ?)", tenant, invoiceId, invoiceId));
        }
    }

    @GET
    @Path("/refunds/{id}")
    @Transactional
    public PaymentProviders.Refund refund(@PathParam("id") String id) throws Exception {
        String tenant = Caller.of(request).tenant();
        try (Connection c = dataSource.getConnection()) {
            return providers.refund(c, tenant, id);
        }
    }

    /** Records that an offline refund was made (e.g. a bank transfer back), with its reference. */
    @POST
    @Path("/refunds/{id}/record")
    @Transactional
    public PaymentProviders.Refund record(@PathParam("id") String id, RecordRefund body) throws Exception {
        Caller caller = Caller.of(request);
        String tenant = caller.tenant();
        Checks.body(body);
        String reference = Checks.required(body.reference(), "reference");
        if (reference.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "reference: at most 200 characters", "reference");
        }
        try (Connection c = dataSource.getConnection()) {
            PaymentProviders.Refund r = providers.refund(c, tenant, id);
            if (!PaymentProviders.OFFLINE.equals(r.provider())) {
                throw ProblemException.conflict("refund-not-offline", "refund " + id + " goes through " + r.provider()
                        + "; its status comes from the provider", null);
            }
            if (!providers.settleRefund(c, tenant, id, RefundStatus.SUCCEEDED, reference, null, caller.actor(), clock.instant())) {
                throw ProblemException.conflict("refund-settled", "refund " + id + " is " + r.status() + " already", null);
            }
            return providers.refund(c, tenant, id);
        }
    }
}
