package dev.tally.invoicing.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an admin user acting in a tenant may change, by role (the console's permissions, decided on the server). */
class TenantRolesTest {
    @Test
    void everyRoleReads() {
        for (String role : new String[] {"viewer", "finance", "operator"}) {
            assertThat(TenantRoles.refusal(role, "GET", "/v1/invoices/inv_1/explain")).isNull();
            assertThat(TenantRoles.refusal(role, "HEAD", "v1/customers")).isNull();
        }
    }

    @Test
    void aViewerChangesNothing() {
        for (String path : new String[] {"/v1/invoices/inv_1/credit-notes", "/v1/invoices/inv_1/void", "/v1/customers", "/v1/reconciliations"}) {
            assertThat(TenantRoles.refusal("viewer", "POST", path)).contains("role 'viewer' may not POST").contains("only reads");
        }
        assertThat(TenantRoles.refusal("viewer", "DELETE", "/v1/api-keys/k1")).isNotNull();
    }

    @Test
    void financeProposesCreditNotesAndSlaCreditsOnly() {
        assertThat(TenantRoles.refusal("finance", "POST", "/v1/invoices/inv_1/credit-notes")).isNull();
        assertThat(TenantRoles.refusal("finance", "POST", "v1/invoices/inv_1/credit-notes/sla")).isNull();
        assertThat(TenantRoles.refusal("finance", "POST", "/v1/invoices/inv_1/void")).contains("finance creates credit notes");
        assertThat(TenantRoles.refusal("finance", "POST", "/v1/invoices/inv_1/payments")).isNotNull();
        assertThat(TenantRoles.refusal("finance", "POST", "/v1/invoices/inv_1/credit-notes/x/y")).isNotNull();
        assertThat(TenantRoles.refusal("finance", "PUT", "/v1/invoices/inv_1/credit-notes")).isNotNull();
        assertThat(TenantRoles.refusal("finance", "POST", "/v1/customers")).isNotNull();
    }

    @Test
    void anOperatorChangesWhatATenantAdminKeyChanges() {
        assertThat(TenantRoles.refusal("operator", "POST", "/v1/invoices/inv_1/void")).isNull();
        assertThat(TenantRoles.refusal("operator", "DELETE", "/v1/api-keys/k1")).isNull();
        assertThat(TenantRoles.refusal("operator", "PATCH", "/v1/customers/acme")).isNull();
    }
}
