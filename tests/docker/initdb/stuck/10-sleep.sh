#!/bin/sh
# Executable on purpose (the entrypoint runs it directly). Never finishes by
# itself: the test stops the container meanwhile.
echo "10-sleep.sh: sleeping"
exec sleep 600
