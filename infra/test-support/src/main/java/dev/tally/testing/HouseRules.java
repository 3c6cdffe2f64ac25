package dev.tally.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
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

    private static final Set<String> PANACHE_QUERIES = Set.of("list", "find", "count", "update", "delete", "stream");

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
                // a query by string ("status = ?1"); an entity's own persist()/delete() is not a query
                return PANACHE_QUERIES.contains(name) && access instanceof JavaMethodCall call
                        && !call.getTarget().getRawParameterTypes().isEmpty()
                        && call.getTarget().getRawParameterTypes().get(0).isEquivalentTo(String.class);
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

    private static final Set<String> CLOCK_READING_TYPES = Set.of("java.time.Instant", "java.time.LocalDate", "java.time.LocalDateTime",
            "java.time.OffsetDateTime", "java.time.ZonedDateTime", "java.time.YearMonth", "java.time.LocalTime");

    private static final DescribedPredicate<JavaAccess<?>> READS_THE_WALL_CLOCK = new DescribedPredicate<>(
            "read the wall clock (Instant.now(), Clock.systemUTC(), System.currentTimeMillis(), LocalDate.now() …)") {
        @Override
        public boolean test(JavaAccess<?> access) {
            String owner = access.getTargetOwner().getName();
            String name = access.getName();
            return (CLOCK_READING_TYPES.contains(owner) && name.equals("now"))
                    || (owner.equals("java.time.Clock") && (name.equals("systemUTC") || name.equals("systemDefaultZone")))
                    || (owner.equals("java.lang.System") && name.equals("currentTimeMillis"));
        }
    };

    /**
     * Time is injected: the one {@code Clock} bean (a class named {@code Clocks} produces it) is every "now" of the
     * service, so a test can fix or move time, and shared-model takes instants as arguments.
     */
    public static final ArchRule TIME_IS_INJECTED = noClasses().that().doNotHaveSimpleName("Clocks")
            .should().accessTargetWhere(READS_THE_WALL_CLOCK)
            .because("every now comes from the injected Clock (platform's Clocks), so time can be fixed in a test");

    /** Every rule, for a service's ArchitectureTest. */
    public static final List<ArchRule> ALL = List.of(NO_SQL_IN_API, ONLY_THE_RELAY_PRODUCES, TIME_IS_INJECTED);
}
