package dev.tally.invoicing.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.List;

/**
 * Customers' spend budgets per billing period, {@code spend_budget}: an amount in the customer's currency and the
 * percentages of it that alert. In the caller's transaction, through its entity manager.
 */
@ApplicationScoped
public class SpendBudgets {
    private static final TypeReference<List<Integer>> PERCENTS = new TypeReference<>() { };

    @Inject
    EntityManager em;
    @Inject
    ObjectMapper json;

    /** A stored budget: {@code amount} as stored, {@code alertAt} percentages. */
    public record Budget(BigDecimal amount, List<Integer> alertAt) {
    }

    /** The customer's budget, or null when it has none. */
    public Budget get(String tenantId, String customerId) throws JsonProcessingException {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select amount, alert_at_json from spend_budget where tenant_id = ?1 and customer_id = ?2")
                .setParameter(1, tenantId).setParameter(2, customerId).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        return new Budget((BigDecimal) rows.get(0)[0], json.readValue((String) rows.get(0)[1], PERCENTS));
    }

    /** Sets the customer's budget, replacing the one it had. */
    public void put(String tenantId, String customerId, BigDecimal amount, List<Integer> alertAt) throws JsonProcessingException {
        em.createNativeQuery("""
                insert into spend_budget (tenant_id, customer_id, amount, alert_at_json) values (?1, ?2, ?3, ?4)
                on conflict (tenant_id, customer_id) do update set amount = excluded.amount, alert_at_json = excluded.alert_at_json,
                  updated_at = now()""")
                .setParameter(1, tenantId).setParameter(2, customerId).setParameter(3, amount)
                .setParameter(4, json.writeValueAsString(alertAt)).executeUpdate();
    }

    /** Removes the customer's budget. */
    public void delete(String tenantId, String customerId) {
        em.createNativeQuery("delete from spend_budget where tenant_id = ?1 and customer_id = ?2")
                .setParameter(1, tenantId).setParameter(2, customerId).executeUpdate();
    }
}
