package sqlstore

import (
	"context"
	"fmt"

	"partnerdesk/internal/desk"
)

const supportCols = `id, number, created_at, updated_at, created_by, problem_type, impact, title, customer_ref, order_ref, refund_reason,
	requested_amount, description, contact_name, contact_email, contact_phone, status`

func scanSupport(r scanner) (desk.SupportRequest, error) {
	var q desk.SupportRequest
	var created, updated int64
	err := r.Scan(&q.ID, &q.Number, &created, &updated, &q.CreatedBy, &q.ProblemType, &q.Impact, &q.Title, &q.CustomerRef, &q.OrderRef,
		&q.RefundReason, &q.RequestedAmount, &q.Description, &q.ContactName, &q.ContactEmail, &q.ContactPhone, &q.Status)
	q.CreatedAt, q.UpdatedAt = fromMS(created), fromMS(updated)
	return q, err
}

// CreateSupportRequest inserts a request with the next number (in the caller's transaction) and
// returns that number.
func (s *Store) CreateSupportRequest(ctx context.Context, q desk.SupportRequest) (int, error) {
	var number int
	err := s.write(ctx, func(tx *Store) error {
		var err error
		if number, err = s.eng.NextSupportNumber(ctx, tx.q); err != nil {
			return fmt.Errorf("next support request number: %w", err)
		}
		_, err = tx.exec(ctx, `INSERT INTO support_requests (`+supportCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			q.ID, number, ms(q.CreatedAt), ms(q.CreatedAt), q.CreatedBy, q.ProblemType, q.Impact, q.Title, q.CustomerRef, q.OrderRef, q.RefundReason,
			q.RequestedAmount, q.Description, q.ContactName, q.ContactEmail, q.ContactPhone, q.Status)
		return s.wrap(err, "insert support request")
	})
	return number, err
}

// AddAttachment stores an attachment of a request with its bytes: in the database, so that every
// instance can serve it.
func (s *Store) AddAttachment(ctx context.Context, a desk.Attachment, data []byte) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO support_attachments (id, request_id, file_name, content_type, size, data) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, a.RequestID, a.FileName, a.ContentType, a.Size, data)
		return s.wrap(err, "insert attachment")
	})
}

// AttachmentData returns the bytes of an attachment of a request, or ENOTFOUND.
func (s *Store) AttachmentData(ctx context.Context, requestID, id string) ([]byte, error) {
	var data []byte
	err := s.queryRow(ctx, `SELECT data FROM support_attachments WHERE request_id = ? AND id = ? AND data IS NOT NULL`, requestID, id).Scan(&data)
	if err != nil {
		return nil, notFound(err, "err.attachment_not_found")
	}
	return data, nil
}

// FindSupportRequests lists requests, newest first.
func (s *Store) FindSupportRequests(ctx context.Context, limit int) ([]desk.SupportRequest, error) {
	rows, err := s.query(ctx, `SELECT `+supportCols+` FROM support_requests ORDER BY number DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("support requests: %w", err)
	}
	return scanRows(rows, scanSupport)
}

// FindSupportRequest returns one request with its attachments, or ENOTFOUND.
func (s *Store) FindSupportRequest(ctx context.Context, id string) (desk.SupportRequest, error) {
	q, err := scanSupport(s.queryRow(ctx, `SELECT `+supportCols+` FROM support_requests WHERE id = ?`, id))
	if err != nil {
		return q, notFound(err, "err.support_not_found")
	}
	rows, err := s.query(ctx, `SELECT id, request_id, file_name, content_type, size FROM support_attachments WHERE request_id = ? ORDER BY file_name, id`, id)
	if err != nil {
		return q, fmt.Errorf("attachments: %w", err)
	}
	q.Attachments, err = scanAll(rows, func(a *desk.Attachment) error {
		return rows.Scan(&a.ID, &a.RequestID, &a.FileName, &a.ContentType, &a.Size)
	})
	return q, err
}

// SetSupportStatus changes a request's status from the one the caller read: ECONFLICT when it is
// no longer that (another change committed meanwhile), so that the recorded change names the
// status it really replaced.
func (s *Store) SetSupportStatus(ctx context.Context, id, from, to string, now int64) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE support_requests SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, to, now, id, from)
		if err := affectedOne(res, s.wrap(err, "set support status"), "err.support_not_found"); desk.ErrorCode(err) == desk.ENOTFOUND {
			return desk.KeyError(desk.ECONFLICT, "err.support_changed")
		} else if err != nil {
			return err
		}
		return nil
	})
}

// SetLegacyAttachmentData stores the bytes of an attachment that an older SQLite data directory
// kept as a file.
func (s *Store) SetLegacyAttachmentData(ctx context.Context, id string, data []byte) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `UPDATE support_attachments SET data = ? WHERE id = ? AND data IS NULL`, data, id)
		return s.wrap(err, "attachment data")
	})
}
