-- 003_disks.sql
-- Persistent user disks (EBS volumes) and the state of their pending operations.

CREATE TABLE IF NOT EXISTS disks (
    disk_id                     UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    disk_name                   TEXT NOT NULL,
    user_id                     TEXT NOT NULL,
    size_gb                     INTEGER,
    -- Human-readable usage as reported by the node, e.g. "1.2G".
    disk_size                   TEXT,
    created_at                  TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    last_used                   TIMESTAMP WITH TIME ZONE,
    in_use                      BOOLEAN DEFAULT false,
    reservation_id              VARCHAR(255) REFERENCES reservations(reservation_id) ON DELETE SET NULL,
    is_backing_up               BOOLEAN DEFAULT false,
    is_deleted                  BOOLEAN DEFAULT false,
    delete_date                 DATE,
    snapshot_count              INTEGER DEFAULT 0,
    pending_snapshot_count      INTEGER DEFAULT 0,
    ebs_volume_id               TEXT,
    last_snapshot_at            TIMESTAMP WITH TIME ZONE,
    operation_id                UUID,
    operation_status            TEXT,
    operation_error             TEXT,
    latest_snapshot_content_s3  TEXT,
    last_updated                TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    UNIQUE (user_id, disk_name)
);

CREATE INDEX IF NOT EXISTS idx_disks_user_id ON disks (user_id);
CREATE INDEX IF NOT EXISTS idx_disks_in_use ON disks (in_use) WHERE in_use = true;
CREATE INDEX IF NOT EXISTS idx_disks_is_deleted ON disks (is_deleted) WHERE is_deleted = true;
CREATE INDEX IF NOT EXISTS idx_disks_operation_id ON disks (operation_id) WHERE operation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_disks_reservation_id ON disks (reservation_id) WHERE reservation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_disks_delete_date ON disks (delete_date) WHERE delete_date IS NOT NULL;

-- This table tracks its modification time in last_updated rather than updated_at.
CREATE OR REPLACE FUNCTION set_last_updated_now()
RETURNS TRIGGER AS $$
BEGIN
    NEW.last_updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_disks_last_updated ON disks;
CREATE TRIGGER trg_disks_last_updated
    BEFORE UPDATE ON disks
    FOR EACH ROW EXECUTE FUNCTION set_last_updated_now();
