-- Fails on purpose: the volume must be left half-initialised and refused.
SELECT 1 / 0;
