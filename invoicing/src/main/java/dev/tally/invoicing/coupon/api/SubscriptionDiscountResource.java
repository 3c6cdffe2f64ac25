package dev.tally.invoicing.coupon.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.coupon.CouponService;
import dev.tally.invoicing.security.Caller;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** A discount set directly on one subscription (a redemption without a code; listed with the customer's coupons). */
@Path("/v1/subscriptions/{id}/discounts")
public class SubscriptionDiscountResource {
    @Inject
    CouponService coupons;
    @Context
    ContainerRequestContext request;

    /** {@code kind} percent or amount (in the customer's currency), for {@code periods} invoices (absent: every one). */
    public record NewDiscount(String name, String kind, BigDecimal value, Integer periods) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = RedemptionResource.RedemptionView.class)))
    public Response discount(@PathParam("id") String subscriptionId, NewDiscount body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CustomerEntity c = subscriber(caller.tenant(), subscriptionId);
        return Response.status(201).entity(RedemptionResource.RedemptionView.of(coupons.discount(caller.tenant(), c, subscriptionId, body.name(),
                new CouponService.Terms(body.kind(), body.value(), body.periods()), caller.actor()))).build();
    }

    private static CustomerEntity subscriber(String tenant, String subscriptionId) {
        SubscriptionEntity s = SubscriptionEntity.get(tenant, subscriptionId);
        if (s == null) {
            throw ProblemException.notFound("unknown-subscription", "no subscription '" + subscriptionId + "'");
        }
        return CustomerEntity.findById(new CustomerEntity.Key(tenant, s.customerId));
    }
}
