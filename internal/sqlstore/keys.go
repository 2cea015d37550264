package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"partnerdesk/internal/desk"
)

// InsertPoolKey adds an encrypted key to a pool; a duplicate fingerprint is ECONFLICT.
func (s *Store) InsertPoolKey(ctx context.Context, productID, version string, ciphertext, fingerprint []byte, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO product_keys (product_id, version, ciphertext, fingerprint, imported_at) VALUES (?, ?, ?, ?, ?)`,
			productID, version, ciphertext, fingerprint, ms(now))
		return s.wrap(err, "insert key")
	})
}

// FingerprintsExist returns which of the fingerprints are already stored.
func (s *Store) FingerprintsExist(ctx context.Context, fps [][]byte) (map[string]bool, error) {
	out := map[string]bool{}
	for _, fp := range fps {
		var one int
		err := s.queryRow(ctx, `SELECT 1 FROM product_keys WHERE fingerprint = ?`, fp).Scan(&one)
		if err == nil {
			out[string(fp)] = true
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("fingerprint: %w", err)
		}
	}
	return out, nil
}

// AssignPoolKey gives the oldest free key of a pool to an entitlement's version; false when the pool is empty.
func (s *Store) AssignPoolKey(ctx context.Context, productID, version, entitlementID string, now time.Time) (bool, error) {
	var assigned bool
	err := s.write(ctx, func(tx *Store) error {
		// Two orders never get the same key: the subquery claims a free key no other transaction
		// holds (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's writes are serial), and the
		// outer condition re-checks that it is still free.
		res, err := tx.exec(ctx, `UPDATE product_keys SET entitlement_id = ?, assigned_at = ?
			WHERE entitlement_id IS NULL AND id = (SELECT id FROM product_keys WHERE product_id = ? AND version = ? AND entitlement_id IS NULL
			ORDER BY id LIMIT 1`+s.eng.SkipLocked()+`)`,
			entitlementID, ms(now), productID, version)
		if err != nil {
			return s.wrap(err, "assign key")
		}
		n, _ := res.RowsAffected()
		assigned = n == 1
		return nil
	})
	return assigned, err
}

// EntitlementKey returns the sealed key of an entitlement's version; ENOTFOUND when none was
// assigned, EGONE when it was revoked.
func (s *Store) EntitlementKey(ctx context.Context, entitlementID, version string) ([]byte, error) {
	var ct []byte
	var revoked sql.NullInt64
	err := s.queryRow(ctx, `SELECT ciphertext, revoked_at FROM product_keys WHERE entitlement_id = ? AND version = ?`, entitlementID, version).Scan(&ct, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "err.no_key_yet")
	}
	if err != nil {
		return nil, fmt.Errorf("entitlement key: %w", err)
	}
	if revoked.Valid {
		return nil, desk.Errorf(desk.EGONE, "err.revoked")
	}
	return ct, nil
}

// EntitlementKeyVersions returns, for each entitlement of a customer, the versions that have a
// (not revoked) key — one query for the whole Software tab.
func (s *Store) EntitlementKeyVersions(ctx context.Context, customerID string) (map[string][]string, error) {
	rows, err := s.query(ctx, `SELECT k.entitlement_id, k.version FROM product_keys k JOIN entitlements e ON e.id = k.entitlement_id
		WHERE e.customer_id = ? AND k.revoked_at IS NULL ORDER BY k.entitlement_id, k.version DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("key versions: %w", err)
	}
	out := map[string][]string{}
	return out, eachRow(rows, func() error {
		var ent, ver string
		if err := rows.Scan(&ent, &ver); err != nil {
			return err
		}
		out[ent] = append(out[ent], ver)
		return nil
	})
}

// EntitlementsWaitingForKeys lists active entitlements of a product that have no key for a version, oldest first.
func (s *Store) EntitlementsWaitingForKeys(ctx context.Context, productID, version string) ([]string, error) {
	rows, err := s.query(ctx, `SELECT e.id FROM entitlements e WHERE e.product_id = ? AND e.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM product_keys k WHERE k.entitlement_id = e.id AND k.version = ?) ORDER BY e.created_at, e.id`, productID, version)
	if err != nil {
		return nil, fmt.Errorf("waiting entitlements: %w", err)
	}
	return scanAll(rows, func(id *string) error {
		if err := rows.Scan(id); err != nil {
			return err
		}
		return nil
	})
}

// PoolCounts counts free and assigned keys per product and version.
func (s *Store) PoolCounts(ctx context.Context) ([]desk.PoolCount, error) {
	rows, err := s.query(ctx, `SELECT k.product_id, p.title, k.version, sum(CASE WHEN k.entitlement_id IS NULL THEN 1 ELSE 0 END), sum(CASE WHEN k.entitlement_id IS NULL THEN 0 ELSE 1 END)
		FROM product_keys k JOIN products p ON p.id = k.product_id GROUP BY k.product_id, p.title, p.sort, k.version ORDER BY p.sort, k.version DESC`)
	if err != nil {
		return nil, fmt.Errorf("pool counts: %w", err)
	}
	return scanAll(rows, func(c *desk.PoolCount) error {
		if err := rows.Scan(&c.ProductID, &c.ProductTitle, &c.Version, &c.Free, &c.Assigned); err != nil {
			return err
		}
		return nil
	})
}

// MarkDownloaded marks an active entitlement downloaded (the first call sets the time, later
// ones keep it) and reports whether it is active. The update takes the entitlement's row lock,
// so that a download and a cancellation of the purchase take turns: a cancellation that
// committed first makes this find no active row (the download is refused), and one that comes
// later waits for this transaction and then sees the purchase downloaded (R11, R12).
func (s *Store) MarkDownloaded(ctx context.Context, entitlementID string, now time.Time) (bool, error) {
	active := false
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE entitlements SET downloaded_at = coalesce(downloaded_at, ?) WHERE id = ? AND status = 'active'`, ms(now), entitlementID)
		if err != nil {
			return s.wrap(err, "mark downloaded")
		}
		n, err := res.RowsAffected()
		active = n == 1
		return err
	})
	return active, err
}

// LockEntitlement takes an entitlement's row lock until the transaction ends (PostgreSQL; on
// SQLite the single writer serialises anyway): a cancellation decides on the purchase's download
// state only after any download in flight has committed or rolled back.
func (s *Store) LockEntitlement(ctx context.Context, entitlementID string) error {
	var id string
	if err := s.queryRow(ctx, `SELECT id FROM entitlements WHERE id = ?`+s.eng.ForUpdate(), entitlementID).Scan(&id); err != nil {
		return notFound(err, "err.entitlement_not_found")
	}
	return nil
}

// ClaimLinkDownload records the first download of a shared link, keyed by the hash of the link:
// true for the one call that inserts the row, false for every later one on any instance (the
// primary key decides, INSERT … ON CONFLICT DO NOTHING), whatever part of the file each sends.
func (s *Store) ClaimLinkDownload(ctx context.Context, linkHash []byte, entitlementID string, now, expires time.Time) (bool, error) {
	claimed := false
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `INSERT INTO link_downloads (link_hash, entitlement_id, first_at, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (link_hash) DO NOTHING`, linkHash, entitlementID, ms(now), ms(expires))
		if err != nil {
			return s.wrap(err, "claim link download")
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return claimed, err
}

// DeleteLinkClaims forgets the download claims of links that expired before t (an expired link
// is refused before it is claimed, so its claim is no longer needed).
func (s *Store) DeleteLinkClaims(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `DELETE FROM link_downloads WHERE expires_at < ?`, ms(t))
		if err != nil {
			return s.wrap(err, "delete link claims")
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// AnyKey returns one stored key with its pool (to check the key-encryption key against); found
// is false when no key is stored.
func (s *Store) AnyKey(ctx context.Context) (string, string, []byte, bool, error) {
	var product, version string
	var ct []byte
	err := s.queryRow(ctx, `SELECT product_id, version, ciphertext FROM product_keys ORDER BY id LIMIT 1`).Scan(&product, &version, &ct)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, false, nil
	}
	if err != nil {
		return "", "", nil, false, fmt.Errorf("a stored key: %w", err)
	}
	return product, version, ct, true, nil
}
