package dev.tally.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Set;

/**
 * The house rules the build enforces on every service (docs/architecture.md): each service's {@code ArchitectureTest}
 * checks them on its own main classes, and {@code HouseRulesTest} shows each one failing on a planted violation.
 */
public final class HouseRules {
    private HouseRules() {
    }

    /** A service's main classes (no tests, no jars). */
    public static JavaClasses mainClassesOf(String rootPackage) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages(rootPackage);
    }

    private static final Set<String> PANACHE_QUERIES = Set.of("list", "find", "count", "update", "delete", "stream", "findAll", "listAll");

    private static final DescribedPredicate<JavaAccess<?>> EXECUTES_SQL = new DescribedPredicate<>(
            "execute SQL (a java.sql statement or result set, EntityManager queries, Panache queries by string)") {
        @Override
        public boolean test(JavaAccess<?> access) {
            String owner = access.getTargetOwner().getName();
            String name = access.getName();
            if (owner.equals("java.sql.Connection")) {
                return name.equals("prepareStatement") || name.equals("createStatement") || name.equals("prepareCall");
            }
            if (owner.startsWith("java.sql.") && (owner.endsWith("Statement") || owner.endsWith("ResultSet"))) {
                return true;
            }
            if (access.getTargetOwner().isAssignableTo("jakarta.persistence.EntityManager")) {
                return name.startsWith("create") && name.endsWith("Query");
            }
            if (access.getTargetOwner().isAssignableTo("io.quarkus.hibernate.orm.panache.PanacheEntityBase")
                    || access.getTargetOwner().isAssignableTo("io.quarkus.hibernate.orm.panache.PanacheRepositoryBase")) {
                return PANACHE_QUERIES.contains(name);
            }
            return false;
        }
    };

    /** REST resources are thin adapters: no class in an {@code api} package executes SQL; storage classes do. */
    public static final ArchRule NO_SQL_IN_API = noClasses().that().resideInAPackage("..api..")
            .should().accessTargetWhere(EXECUTES_SQL)
            .because("a resource parses, calls the class that owns the table, and maps the answer (docs/architecture.md)");

    private static final DescribedPredicate<JavaAccess<?>> PRODUCES_TO_KAFKA = new DescribedPredicate<>(
            "produce to Kafka (KafkaClients.producer, a KafkaProducer, Producer.send)") {
        @Override
        public boolean test(JavaAccess<?> access) {
            String owner = access.getTargetOwner().getName();
            String name = access.getName();
            return (owner.equals("dev.tally.platform.kafka.KafkaClients") && name.equals("producer"))
                    || (owner.equals("org.apache.kafka.clients.producer.KafkaProducer") && name.equals("<init>"))
                    || (access.getTargetOwner().isAssignableTo("org.apache.kafka.clients.producer.Producer") && name.equals("send"));
        }
    };

    /**
     * Only the outbox relay produces to Kafka: everything a service publishes is first committed to its outbox in the
     * transaction that decided it (exactly-once handoff); {@code KafkaClients} builds the producer the relay uses.
     */
    public static final ArchRule ONLY_THE_RELAY_PRODUCES = noClasses().that().resideOutsideOfPackages("dev.tally.platform.outbox..")
            .and().doNotHaveFullyQualifiedName("dev.tally.platform.kafka.KafkaClients")
            .should().accessTargetWhere(PRODUCES_TO_KAFKA)
            .because("a message is written to the outbox in the transaction that decides it; the relay alone sends it");

    /** Every rule, for a service's ArchitectureTest. */
    public static final List<ArchRule> ALL = List.of(NO_SQL_IN_API, ONLY_THE_RELAY_PRODUCES);
}
