-- Covering indexes for the customer list: a page is read from the index alone (no table lookups).
DROP INDEX customers_by_name;
DROP INDEX customers_by_domain;
CREATE INDEX customers_list_by_name ON customers (name_fold, id, company_name, domain, country, currency, created_at);
CREATE INDEX customers_list_by_domain ON customers (domain, id, company_name, name_fold, country, currency, created_at);
