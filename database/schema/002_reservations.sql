-- 002_reservations.sql
-- One row per GPU reservation (a "job" in the API: job_id = reservation_id).
-- Must precede 003_disks.sql, whose disks.reservation_id references this table.

CREATE TABLE IF NOT EXISTS reservations (
    reservation_id           VARCHAR(255) PRIMARY KEY,
    user_id                  VARCHAR(255) NOT NULL,
    -- queued, pending, preparing, active, cancelled, expired, failed
    status                   VARCHAR(50) NOT NULL,
    gpu_type                 VARCHAR(50),
    gpu_count                INTEGER,
    instance_type            VARCHAR(100),
    duration_hours           DOUBLE PRECISION NOT NULL,
    created_at               TIMESTAMP WITH TIME ZONE NOT NULL,
    launched_at              TIMESTAMP WITH TIME ZONE,
    expires_at               TIMESTAMP WITH TIME ZONE,
    updated_at               TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    name                     VARCHAR(255),
    github_user              VARCHAR(255),
    pod_name                 VARCHAR(255),
    namespace                VARCHAR(100) DEFAULT 'default',
    node_ip                  VARCHAR(50),
    node_port                INTEGER,
    ssh_command              TEXT,
    jupyter_enabled          BOOLEAN DEFAULT false,
    jupyter_url              TEXT,
    jupyter_port             INTEGER,
    jupyter_token            VARCHAR(255),
    jupyter_error            TEXT,
    ebs_volume_id            VARCHAR(255),
    disk_name                VARCHAR(255),
    failure_reason           TEXT,
    current_detailed_status  TEXT,
    status_history           JSONB DEFAULT '[]'::jsonb,
    pod_logs                 TEXT,
    warning                  TEXT,
    secondary_users          JSONB DEFAULT '[]'::jsonb,
    is_multinode             BOOLEAN DEFAULT false,
    master_reservation_id    VARCHAR(255),
    node_index               INTEGER,
    total_nodes              INTEGER,
    cli_version              VARCHAR(50),
    ebs_availability_zone    VARCHAR(50),
    domain_name              VARCHAR(255),
    fqdn                     VARCHAR(512),
    alb_config               JSONB,
    preserve_entrypoint      BOOLEAN NOT NULL DEFAULT false,
    node_private_ip          VARCHAR(50)
);

CREATE INDEX IF NOT EXISTS idx_reservations_user_id ON reservations (user_id);
CREATE INDEX IF NOT EXISTS idx_reservations_user_status ON reservations (user_id, status);
CREATE INDEX IF NOT EXISTS idx_reservations_status ON reservations (status);
CREATE INDEX IF NOT EXISTS idx_reservations_gpu_type_status ON reservations (gpu_type, status);
CREATE INDEX IF NOT EXISTS idx_reservations_created_at ON reservations (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_reservations_expires_at ON reservations (expires_at);
-- Sparse columns: index only the rows that have a value.
CREATE INDEX IF NOT EXISTS idx_reservations_master_reservation_id
    ON reservations (master_reservation_id) WHERE master_reservation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_domain_name
    ON reservations (domain_name) WHERE domain_name IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_fqdn
    ON reservations (fqdn) WHERE fqdn IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_node_private_ip
    ON reservations (node_private_ip) WHERE node_private_ip IS NOT NULL;

-- updated_at follows every update without the writer having to remember it.
CREATE OR REPLACE FUNCTION set_updated_at_now()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_reservations_updated_at ON reservations;
CREATE TRIGGER trg_reservations_updated_at
    BEFORE UPDATE ON reservations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at_now();
