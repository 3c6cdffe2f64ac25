-- Every shared-model aggregation may now be metered; PERCENTILE meters carry their p in (0, 100].
alter table meter add column percentile numeric;
alter table meter add constraint meter_percentile_only_for_percentile
    check ((aggregation = 'PERCENTILE') = (percentile is not null) and (percentile is null or (percentile > 0 and percentile <= 100)));
alter table meter drop constraint meter_aggregation_check;
alter table meter add constraint meter_aggregation_check check (aggregation in
    ('COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'UNIQUE_COUNT', 'LATEST', 'TIME_WEIGHTED_SUM', 'PERCENTILE'));
