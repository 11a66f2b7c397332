CREATE TABLE "appeals" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"session_pk" text NOT NULL,
	"intervention_id" text NOT NULL,
	"status" text NOT NULL,
	"appellant" text NOT NULL,
	"user_id" text,
	"statement" text,
	"decision" text,
	"reason" text,
	"decided_at" timestamp with time zone,
	"decision_intervention_id" text,
	"restored_message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_intervention_idx" ON "appeals" USING btree ("intervention_id");--> statement-breakpoint
CREATE INDEX "appeals_queue_idx" ON "appeals" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "appeals_session_idx" ON "appeals" USING btree ("session_pk");