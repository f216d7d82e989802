CREATE TABLE "war_room_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"auto_create_severities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"end_meeting_on_resolve" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "war_rooms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"incident_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"provider_meeting_id" text,
	"join_url" text,
	"state" text NOT NULL,
	"live_status" text DEFAULT 'not_started' NOT NULL,
	"attempt_marker" text NOT NULL,
	"outcome_unknown" boolean DEFAULT false NOT NULL,
	"failure_message" text,
	"failure_hint" text,
	"created_by" uuid,
	"created_by_label" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"activated_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"ended_reason" text,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "war_rooms_state_check" CHECK ("war_rooms"."state" in ('creating','active','ended','expired','failed')),
	CONSTRAINT "war_rooms_live_check" CHECK ("war_rooms"."live_status" in ('not_started','live','ended'))
);
--> statement-breakpoint
ALTER TABLE "war_room_settings" ADD CONSTRAINT "war_room_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD CONSTRAINT "war_rooms_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD CONSTRAINT "war_rooms_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "war_rooms" ADD CONSTRAINT "war_rooms_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "war_rooms_one_open_per_incident_idx" ON "war_rooms" USING btree ("incident_id") WHERE "war_rooms"."state" in ('creating','active');--> statement-breakpoint
CREATE INDEX "war_rooms_incident_idx" ON "war_rooms" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE INDEX "war_rooms_meeting_idx" ON "war_rooms" USING btree ("provider","provider_meeting_id");