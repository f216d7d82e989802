ALTER TABLE "war_rooms" DROP CONSTRAINT "war_rooms_live_check";--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "host_refused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD COLUMN "live_status_at" timestamp with time zone;--> statement-breakpoint
-- meeting.ended means "the call is empty", not "over for good" (zoom-api.md §5.7).
UPDATE "war_rooms" SET "live_status" = 'empty' WHERE "live_status" = 'ended';--> statement-breakpoint
ALTER TABLE "war_rooms" ADD CONSTRAINT "war_rooms_live_check" CHECK ("war_rooms"."live_status" in ('not_started','live','empty'));
