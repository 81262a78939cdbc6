# Operating a deployment. Included by the main Makefile after it defines RASA_ENV
# (`include ops.mk`); on its own: `make -f Makefile -f ops.mk purge DAYS=30`.
#
#   make purge DAYS=30             delete every conversation whose latest event is older than
#                                  30 days from the tracker store (scripts/purge_trackers.py)
#   make purge DAYS=30 DRY_RUN=1   only count them
#   ENDPOINTS=endpoints.production.yml make purge DAYS=30
#                                  the store of that endpoints file (as scripts/serve.sh reads
#                                  ENDPOINTS); without it PostgreSQL when DB_HOST is set, else
#                                  the SQLite file of `make run` (TRACKER_DB, .rasa/tracker.db)

.PHONY: purge

purge: $(RASA_ENV)/.stamp
	@[ -n "$(DAYS)" ] || { echo "make purge: give the retention in days, e.g. make purge DAYS=30" >&2; exit 2; }
	$(RASA_ENV)/bin/python scripts/purge_trackers.py --days "$(DAYS)" \
	  $(if $(DRY_RUN),--dry-run) $(if $(ENDPOINTS),--endpoints "$(ENDPOINTS)")
