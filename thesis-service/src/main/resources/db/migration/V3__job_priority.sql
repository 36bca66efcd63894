-- Issue 17, 5: batch jobs. A job's priority: interactive (run at once, streamed) or batch (claude-worker collects it
-- into a Message Batch at half the price; the result within 24 hours). Jobs from before are interactive.
alter table jobs
    add column priority text not null default 'interactive' check (priority in ('interactive', 'batch'));
