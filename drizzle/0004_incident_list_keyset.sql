DROP INDEX "incidents_org_status_idx";--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "list_key" bigint GENERATED ALWAYS AS ((case when status in ('resolved','closed') then 0 else 10000000000 end) + number) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "incidents_org_list_idx" ON "incidents" USING btree ("org_id","list_key" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_org_status_list_idx" ON "incidents" USING btree ("org_id","status","list_key" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_org_severity_list_idx" ON "incidents" USING btree ("org_id","severity","list_key" DESC NULLS FIRST);