package dev.tally.invoicing.coupon.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.coupon.CouponService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.terms.Coupons;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A customer's redeemed coupons, and the discounts set on its subscriptions ({@link SubscriptionDiscountResource}):
 * each applies to the periods ending after it, for its first N invoices.
 */
@Path("/v1/customers/{externalId}/coupons")
public class RedemptionResource {
    @Inject
    CouponService coupons;
    @Context
    ContainerRequestContext request;

    /** {@code subscription}: only that subscription's invoices (absent: every one of the customer's). */
    public record Redeem(String code, String subscription) {
    }

    public record RedemptionView(String redemptionId, String code, String name, String kind, BigDecimal value, Integer periods, String subscription,
            Instant redeemedAt, int periodsUsed) {
        public static RedemptionView of(Coupons.Redemption r) {
            return new RedemptionView(r.redemptionId(), r.code(), r.name(), r.kind().name().toLowerCase(), r.value().stripTrailingZeros(), r.periods(),
                    r.subscriptionId(), r.redeemedAt(), r.periodsUsed());
        }
    }

    public record RedemptionList(List<RedemptionView> redemptions) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = RedemptionView.class)))
    public Response redeem(@PathParam("externalId") String externalId, Redeem body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        return Response.status(201).entity(RedemptionView.of(coupons.redeem(caller.tenant(), c, body.code(), body.subscription(), caller.actor())))
                .build();
    }

    @GET
    @Transactional
    public RedemptionList list(@PathParam("externalId") String externalId) throws Exception {
        String tenant = Caller.of(request).tenant();
        CustomerEntity c = CustomerService.byExternalId(tenant, externalId);
        return new RedemptionList(coupons.redemptions(tenant, c).stream().map(RedemptionView::of).toList());
    }
}
