package dev.tally.admin.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What the portal makes of invoicing's answers: only the customer's fields, in the customer's words. */
class PortalViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PortalFormat EN = new PortalFormat("en");

    @Test
    void aCreditNoteSaysWhereItsAmountWentAndWhetherItsRefundWentThrough() throws Exception {
        JsonNode notes = JSON.readTree("""
                {"creditNotes":[
                 {"creditNoteId":"cn1","number":"CN-1","status":"issued","currency":"USD","total":"15.00","reason":"outage",
                  "issuedAt":"2026-12-02T10:00:00Z","appliedToDue":"0","refunded":"10.00","credited":"5.00"},
                 {"creditNoteId":"cn2","number":"CN-2","status":"issued","currency":"USD","total":"3.00","reason":"goodwill",
                  "issuedAt":"2026-12-03T10:00:00Z","appliedToDue":"0","refunded":"3.00","credited":"0"},
                 {"creditNoteId":"cn3","number":null,"status":"pending_approval","currency":"USD","total":"99.00","reason":"asked"}]}""");
        JsonNode refunds = JSON.readTree("""
                {"refunds":[{"creditNoteId":"cn1","status":"succeeded","amount":"10.00"},{"creditNoteId":"cn2","status":"pending","amount":"3.00"}]}""");
        var shown = PortalView.creditNotes(notes, refunds, EN);
        assertThat(shown).hasSize(2); // a proposal waiting for the tenant's finance team is not shown
        assertThat(shown.get(0).get("settled")).isEqualTo("$10.00 refunded (sent back), $5.00 to your prepaid balance");
        assertThat(shown.get(1).get("settled")).isEqualTo("$3.00 refunded (on its way)");
        assertThat(PortalView.creditNotes(notes, null, EN).get(1).get("settled")).isEqualTo("$3.00 refunded");
    }

    @Test
    void theBalanceDueIsAfterCreditAndCreditNotesAndTheProjectionSaysWhatItRestsOn() throws Exception {
        var balance = PortalView.balance(JSON.readTree("""
                {"status":"finalized","currency":"EUR","total":"60.00","creditsApplied":"10.00","amountDue":"50.00","balanceDue":"45.00"}"""),
                EN);
        assertThat(balance).containsEntry("creditsApplied", "€10.00").containsEntry("balanceDue", "€45.00").containsEntry("status", "finalized");
        var projection = PortalView.projection(JSON.readTree("""
                {"elapsedSeconds":518400,"periodSeconds":2592000,"projected":{"currency":"USD","total":"119.00"}}"""), EN);
        assertThat(projection).containsEntry("total", "$119.00").containsEntry("basis", "if usage goes on as in the period's first 6 days");
        assertThat(PortalView.projection(JSON.readTree("{\"elapsedSeconds\":0,\"projected\":null}"), EN)).isNull();
    }
}
