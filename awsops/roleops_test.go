package awsops

import (
	"encoding/json"
	"strings"
	"testing"
)

// The trust policy is pinned byte for byte: moto does not evaluate trust
// conditions, so only this test says the role trusts the one account and
// only with the external id.
func TestTrustPolicyDocumentGolden(t *testing.T) {
	requirePolicyGolden(t, "trust_policy", TrustPolicyDocument("111122223333", "Xk3p9QvTz0LmW2aRb7NcYe5uFh1jGd8s"))
}

func TestTrustPolicyDocumentTrustsOnlyThatAccount(t *testing.T) {
	var doc struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(TrustPolicyDocumentIn("aws-cn", "444455556666", "abc")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("statements = %d, want 1", len(doc.Statement))
	}
	s := doc.Statement[0]
	if s.Effect != "Allow" || s.Action != "sts:AssumeRole" || len(s.Principal) != 1 || s.Principal["AWS"] != "arn:aws-cn:iam::444455556666:root" {
		t.Errorf("statement = %+v", s)
	}
	if len(s.Condition) != 1 || len(s.Condition["StringEquals"]) != 1 || s.Condition["StringEquals"]["sts:ExternalId"] != "abc" {
		t.Errorf("condition = %v, want exactly StringEquals sts:ExternalId", s.Condition)
	}
}

func TestValidateAccountID(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for valid, else a fragment of the sentence
	}{
		{"111122223333", ""},
		{"", "12 digits"},
		{"11112222333", "is 12 digits, and"},
		{"1111222233334", "is 12 digits, and"},
		{"11112222333a", "is 12 digits, and"},
		{"1111-2222-3333", "without dashes or spaces: 111122223333."},
		{"arn:aws:iam::111122223333:root", "is 12 digits, and"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := ValidateAccountID(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.want != "":
				wantRefusal(t, err, tt.want)
				if strings.Count(err.Error(), ". ") > 0 {
					t.Errorf("%q is more than one sentence", err)
				}
			}
		})
	}
}

func TestNewExternalID(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		id := NewExternalID()
		if len(id) != ExternalIDLen || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" || seen[id] {
			t.Fatalf("external id %q: want %d fresh letters and digits", id, ExternalIDLen)
		}
		seen[id] = true
	}
}
