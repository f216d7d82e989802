ALTER TABLE "war_room_settings" ADD COLUMN "default_provider" text;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD COLUMN "meeting_code" text;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD COLUMN "live_checked_at" timestamp with time zone;