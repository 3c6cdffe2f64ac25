package dev.tally.invoicing.coupon.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.coupon.CouponService;
import dev.tally.invoicing.coupon.CouponStore;
import dev.tally.invoicing.security.Caller;
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

/** The tenant's coupons: codes a customer redeems for a percent or an amount off its next invoices. */
@Path("/v1/coupons")
public class CouponResource {
    @Inject
    CouponService coupons;
    @Context
    ContainerRequestContext request;

    /** {@code kind} percent or amount ({@code currency} required); {@code periods}: invoices it applies to (absent: every one). */
    public record NewCoupon(String code, String name, String kind, BigDecimal value, String currency, Integer periods, Integer maxRedemptions,
            Instant redeemBy) {
    }

    public record CouponView(String code, String name, String kind, BigDecimal value, String currency, Integer periods, Integer maxRedemptions,
            Instant redeemBy, Instant archivedAt, Instant createdAt, long redemptions) {
        static CouponView of(CouponStore.Coupon k) {
            return new CouponView(k.code(), k.name(), k.kind().name().toLowerCase(), k.value().stripTrailingZeros(), k.currency(), k.periods(),
                    k.maxRedemptions(), k.redeemBy(), k.archivedAt(), k.createdAt(), k.redemptions());
        }
    }

    public record CouponList(List<CouponView> coupons) {
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = CouponView.class)))
    public Response create(NewCoupon body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CouponStore.Coupon k = coupons.create(caller.tenant(), body.code(), body.name(), new CouponService.Terms(body.kind(), body.value(),
                body.periods()), body.currency(), body.maxRedemptions(), body.redeemBy(), caller.actor());
        return Response.status(201).entity(CouponView.of(k)).build();
    }

    @GET
    @Transactional
    public CouponList list() throws Exception {
        return new CouponList(coupons.list(Caller.of(request).tenant()).stream().map(CouponView::of).toList());
    }

    @POST
    @Path("/{code}/archive")
    @Transactional
    public CouponView archive(@PathParam("code") String code) throws Exception {
        Caller caller = Caller.of(request);
        return CouponView.of(coupons.archive(caller.tenant(), code, caller.actor()));
    }
}
