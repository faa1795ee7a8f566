package journal

import "time"

// Rotation stages, in order. Each is written before the call that moves
// past it goes out, so a kill leaves the stage it stopped in.
const (
	// RotateCreating: the new key's CreateAccessKey is about to go out (or
	// went out and its answer was lost).
	RotateCreating = "creating"
	// RotateCreated: the new key exists; its secret is being saved.
	RotateCreated = "created"
	// RotateDelivered: the secret is saved; the key is being proven.
	RotateDelivered = "delivered"
	// RotateProven: the new key read the location; the old key is being
	// deactivated.
	RotateProven = "proven"
	// RotateDeactivated: the old key is inactive; it is deleted when the
	// person confirms.
	RotateDeactivated = "deactivated"
)

// Stages of a role link's rotation, which replaces the external id in the
// role's trust policy.
const (
	// RotateTrustUpdating: the new external id is chosen and the trust
	// policy update is about to go out (or went out and its answer was
	// lost); the record's role still names the previous external id.
	RotateTrustUpdating = "trust-updating"
	// RotateTrustUpdated: the trust policy holds the new external id and
	// so does the record's role; the previous one is kept until the
	// rotation ends.
	RotateTrustUpdated = "trust-updated"
)

// Rotation is a rotation under way: for a key link the old key being
// retired and the new one replacing it (key ids only, never a secret);
// for a role link the external id being replaced.
type Rotation struct {
	// OldKeyID is the key being retired ("" when the user had none).
	OldKeyID string `json:"old_key_id"`
	// NewKeyID is the new key, "" until CreateAccessKey answered.
	NewKeyID string `json:"new_key_id,omitempty"`
	// Stage is one of the Rotate* stages.
	Stage string `json:"stage"`
	// Delivered says where the secret went: a CSV path or "profile NAME".
	Delivered string `json:"delivered,omitempty"`
	// OldExternalID and NewExternalID are a role link's previous and new
	// external ids (no secrets: they guard against a confused deputy).
	OldExternalID string `json:"old_external_id,omitempty"`
	NewExternalID string `json:"new_external_id,omitempty"`
	// StartedAt is when the rotation began; keys made after it may be its.
	StartedAt time.Time `json:"started_at"`
}
