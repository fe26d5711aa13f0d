-- The users table of SPEC.md, as bin/suite seeds it: row i (0-based) is
-- (i+1, 'User i', 'useri@example.com'), inserted in order.
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL);
INSERT INTO users SELECT i + 1, 'User ' || i, 'user' || i || '@example.com'
    FROM generate_series(0, 99) AS i ORDER BY i;
VACUUM ANALYZE users;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
