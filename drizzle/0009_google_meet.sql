ALTER TABLE "war_room_settings" ADD COLUMN "default_provider" text;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD COLUMN "meeting_code" text;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD COLUMN "live_checked_at" timestamp with time zone;--> statement-breakpoint
-- The live-badge poll (decision 0011) stamps live_checked_at on every polled war room once a minute:
-- that alone changes nothing a page shows, so it does not wake the incident's open pages.
DROP TRIGGER "war_rooms_notify" ON "war_rooms";--> statement-breakpoint
CREATE TRIGGER war_rooms_notify AFTER INSERT ON "war_rooms" FOR EACH ROW EXECUTE FUNCTION runframe_notify_incident_child();--> statement-breakpoint
CREATE TRIGGER war_rooms_notify_change AFTER UPDATE ON "war_rooms" FOR EACH ROW WHEN ((to_jsonb(OLD) - 'live_checked_at') IS DISTINCT FROM (to_jsonb(NEW) - 'live_checked_at')) EXECUTE FUNCTION runframe_notify_incident_child();
