ALTER TABLE "integration_connections" ADD COLUMN "refresh_lease_id" text;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "refresh_lease_until" timestamp with time zone;