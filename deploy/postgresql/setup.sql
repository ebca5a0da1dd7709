-- The role and database Pakta runs as, with the limits that keep one stuck client from
-- stalling the others. Run once on the database host as the postgres superuser:
--     sudo -u postgres psql -v password="$(openssl rand -hex 24)" -f setup.sql
-- then `pakta --instance /var/lib/pakta/instance init --database-url
-- postgresql+psycopg://pakta:PASSWORD@db.internal:5432/pakta` on the first app host.
CREATE ROLE pakta LOGIN PASSWORD :'password';
CREATE DATABASE pakta OWNER pakta ENCODING 'UTF8' TEMPLATE template0;
-- An append waits for the advisory lock while another host's batch commits (milliseconds);
-- ten seconds means something is wrong, and the client gets an error instead of a hang.
ALTER ROLE pakta SET lock_timeout = '10s';
-- No page or append takes more than a fraction of a second; `pakta rebuild-read-model` and
-- other maintenance run with PGOPTIONS='-c statement_timeout=0'.
ALTER ROLE pakta SET statement_timeout = '30s';
ALTER ROLE pakta SET idle_in_transaction_session_timeout = '60s';
-- Stated so that no later ALTER DATABASE or connection option can turn durability off quietly.
ALTER ROLE pakta SET synchronous_commit = 'on';
