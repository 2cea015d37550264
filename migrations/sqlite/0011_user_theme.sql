-- The colour theme each user chose: '' follows the device (prefers-color-scheme), 'light' or
-- 'dark' overrides it. It is read with the session, so the first paint is already right.
ALTER TABLE users ADD COLUMN theme TEXT NOT NULL DEFAULT '' CHECK (theme IN ('', 'light', 'dark'));
