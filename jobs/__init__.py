"""Background jobs editors start and watch: renditions of a photo, an issue's export
package. The work runs on Celery (newsroom/celery.py); each job's state (queued, running,
done, failed with the reason) and progress live in a `Job` row the admin shows where the
job was started. Apps register what a kind of job does (`registry.handler`); this app
imports none of them."""
