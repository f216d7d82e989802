DROP INDEX "incidents_org_status_idx";--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "list_key" bigint GENERATED ALWAYS AS ((case when status in ('resolved','closed') then 0 else 10000000000 end) + number) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "incidents_org_list_idx" ON "incidents" USING btree ("org_id","list_key" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_org_status_list_idx" ON "incidents" USING btree ("org_id","status","list_key" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_org_severity_list_idx" ON "incidents" USING btree ("org_id","severity","list_key" DESC NULLS FIRST);
--> statement-breakpoint
-- Live updates (docs/decisions/0006): every write to an incident, its timeline or its war rooms
-- notifies channel runframe_incident with the incident id. NOTIFY is sent at commit (never for a
-- rollback) to every process listening, and repeats within one transaction are folded into one.
CREATE FUNCTION runframe_notify_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('runframe_incident', NEW.id::text);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION runframe_notify_incident_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('runframe_incident', NEW.incident_id::text);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER incidents_notify AFTER INSERT OR UPDATE ON "incidents" FOR EACH ROW EXECUTE FUNCTION runframe_notify_incident();--> statement-breakpoint
CREATE TRIGGER timeline_entries_notify AFTER INSERT OR UPDATE ON "timeline_entries" FOR EACH ROW EXECUTE FUNCTION runframe_notify_incident_child();--> statement-breakpoint
CREATE TRIGGER war_rooms_notify AFTER INSERT OR UPDATE ON "war_rooms" FOR EACH ROW EXECUTE FUNCTION runframe_notify_incident_child();
