-- 004_gpu_types.sql
-- Reference data: the GPU types users can reserve and the capacity of each.
-- Rows come from fixtures/001_initial_gpu_types.sql.

CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type            VARCHAR(50) PRIMARY KEY,
    instance_type       VARCHAR(100) NOT NULL,
    max_gpus            INTEGER NOT NULL,
    cpus                INTEGER NOT NULL,
    memory_gb           INTEGER NOT NULL,
    total_cluster_gpus  INTEGER DEFAULT 0,
    max_per_node        INTEGER,
    is_active           BOOLEAN DEFAULT true,
    created_at          TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at          TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    description         TEXT
);

CREATE INDEX IF NOT EXISTS idx_gpu_types_active ON gpu_types (is_active) WHERE is_active = true;

-- set_updated_at_now() is defined in 002_reservations.sql; redefining it here keeps this file
-- runnable on its own and is harmless (CREATE OR REPLACE).
CREATE OR REPLACE FUNCTION set_updated_at_now()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_gpu_types_updated_at ON gpu_types;
CREATE TRIGGER trg_gpu_types_updated_at
    BEFORE UPDATE ON gpu_types
    FOR EACH ROW EXECUTE FUNCTION set_updated_at_now();
