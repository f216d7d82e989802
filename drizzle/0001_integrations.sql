CREATE TABLE "integration_connections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"status" text NOT NULL,
	"reconnect_reason" text,
	"external_user_id" text NOT NULL,
	"external_account_id" text NOT NULL,
	"account_email" text NOT NULL,
	"account_name" text NOT NULL,
	"can_host" boolean,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sealed_credentials" text,
	"key_version" integer,
	"credential_fingerprint" text,
	"access_expires_at" timestamp with time zone,
	"connected_by" uuid,
	"connected_at" timestamp with time zone NOT NULL,
	"health_checked_at" timestamp with time zone,
	"health_ok" boolean,
	"health_message" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "integration_connections_status_check" CHECK ("integration_connections"."status" in ('connected','reconnect_required'))
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"session_hash" text NOT NULL,
	"provider" text NOT NULL,
	"sealed_verifier" text NOT NULL,
	"key_version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"dedupe_key" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"event" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_connected_by_users_id_fk" FOREIGN KEY ("connected_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "integration_connections_org_provider_idx" ON "integration_connections" USING btree ("org_id","provider");--> statement-breakpoint
CREATE INDEX "integration_connections_external_idx" ON "integration_connections" USING btree ("provider","external_user_id");