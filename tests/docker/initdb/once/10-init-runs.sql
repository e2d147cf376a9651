-- Counts how many times the init scripts ran on this volume: must stay 1.
CREATE TABLE init_runs (
	id serial PRIMARY KEY,
	ran_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO init_runs DEFAULT VALUES;
