-- Succeeds: the failure comes in the next script, after some work was done.
CREATE TABLE half_made (id int);
