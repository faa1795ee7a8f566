package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/ui"
)

type actionReport struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Note  string `json:"note"`
}

// setupSummary is the report of headless setup; its JSON form is the
// --json output (jsonschema/setup.json).
type setupSummary struct {
	report
	Account   string `json:"account"`
	CallerARN string `json:"callerArn"`
	Region    string `json:"region"`
	Location  string `json:"location"`
	Bucket    struct {
		Name    string `json:"name"`
		Region  string `json:"region"`
		Created bool   `json:"created"`
	} `json:"bucket"`
	Prefix string `json:"prefix"`
	Policy struct {
		Name      string `json:"name"`
		ARN       string `json:"arn"`
		VersionID string `json:"versionId,omitempty"`
	} `json:"policy"`
	User struct {
		Name string `json:"name"`
		ARN  string `json:"arn"`
	} `json:"user"`
	AccessKey struct {
		ID              string `json:"id"`
		New             bool   `json:"new"`
		SecretAccessKey string `json:"secretAccessKey,omitempty"`
		CSV             string `json:"csv,omitempty"`
		Profile         string `json:"profile,omitempty"`
		// HandOver says how the secret was handed over, in the wizard's
		// words: "saved to CSV" for a new key (headless setup saves it
		// only there), "earlier key kept" when no key was made.
		HandOver string `json:"handOver"`
		// Encrypted is true when the CSV is age-encrypted (--encrypt-to).
		Encrypted bool `json:"encrypted,omitempty"`
	} `json:"accessKey"`
	Role     *roleSummary   `json:"role,omitempty"`
	Proof    *proofSummary  `json:"proof,omitempty"`
	Record   string         `json:"record"`
	Sandbox  bool           `json:"sandbox,omitempty"`
	Actions  []actionReport `json:"actions"`
	Commands []string       `json:"commands"`
}

// partialSetupSummary is the report of a setup that has not got far: what
// it was asked to do, nothing done yet.
func partialSetupSummary(spec setup.Spec) setupSummary {
	s := setupSummary{report: newReport("setup"), Actions: []actionReport{}, Commands: []string{}}
	s.Location = setup.Location(spec.Bucket, spec.Prefix)
	s.Bucket.Name, s.Prefix = spec.Bucket, spec.Prefix
	s.Policy.Name, s.User.Name = spec.PolicyName, spec.UserName
	return s
}

func newSetupSummary(id awsops.Identity, plan *setup.Plan, st setup.State, rec *journal.Record, recPath string, o *setupOptions, done []actionReport) setupSummary {
	spec := plan.Spec
	s := partialSetupSummary(spec)
	s.Account, s.CallerARN, s.Region = id.Account, id.ARN, spec.Region
	s.Location = setup.Location(spec.Bucket, spec.Prefix)
	s.Bucket.Name, s.Bucket.Region, s.Bucket.Created = spec.Bucket, spec.Region, rec.Bucket.Created
	s.Prefix = spec.Prefix
	s.Policy.Name, s.Policy.ARN, s.Policy.VersionID = spec.PolicyName, rec.Policy.ARN, st.Policy.VersionID
	s.User.Name, s.User.ARN = spec.UserName, rec.User.ARN
	if st.Key.ID != "" {
		s.AccessKey.ID, s.AccessKey.New, s.AccessKey.CSV = st.Key.ID, true, o.CSVPath
		s.AccessKey.Profile = o.WriteProfile
		s.AccessKey.Encrypted = o.EncryptTo != "" && o.CSVPath != ""
		s.AccessKey.HandOver = "saved to CSV"
		if o.CSVPath == "" {
			s.AccessKey.HandOver = "saved to profile"
		}
		if o.PrintSecret {
			s.AccessKey.SecretAccessKey = st.Key.Secret.Reveal()
		}
	} else {
		s.AccessKey.ID = plan.ExistingKeyID
		s.AccessKey.HandOver = "earlier key kept"
	}
	s.Record = recPath
	s.Sandbox = rec.Sandbox
	s.Actions = append(s.Actions, done...)
	for _, a := range plan.Actions {
		s.Commands = append(s.Commands, a.Command)
	}
	return s
}

func printSetupSummary(w io.Writer, s setupSummary) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Done. Paste these into the platform:")
	fmt.Fprintf(w, "  Bucket:        %s\n", s.Bucket.Name)
	prefix := s.Prefix
	if prefix == "" {
		prefix = "(bucket root)"
	}
	fmt.Fprintf(w, "  Prefix:        %s\n", prefix)
	fmt.Fprintf(w, "  Region:        %s\n", s.Region)
	if s.Role != nil {
		fmt.Fprintf(w, "  Role ARN:      %s\n", s.Role.ARN)
		fmt.Fprintf(w, "  External ID:   %s\n", s.Role.ExternalID)
		fmt.Fprintf(w, "  (only account %s may assume the role, and only with this external id; there is no secret)\n", s.Role.TrustedAccount)
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Policy %s\nRole   %s\n", s.Policy.ARN, s.Role.ARN)
	} else {
		printKeyLines(w, s)
	}
	printSummaryTail(w, s)
}

func printKeyLines(w io.Writer, s setupSummary) {
	fmt.Fprintf(w, "  Access key ID: %s\n", s.AccessKey.ID)
	if s.AccessKey.CSV != "" {
		if s.AccessKey.Encrypted {
			fmt.Fprintf(w, "  Secret key:    in %s, encrypted for the platform's age key (send the file as it is)\n", s.AccessKey.CSV)
		} else {
			fmt.Fprintf(w, "  Secret key:    in %s (delete that file once the platform has it)\n", s.AccessKey.CSV)
		}
	} else if s.AccessKey.Profile != "" {
		fmt.Fprintf(w, "  Secret key:    in profile %s of the shared credentials file\n", s.AccessKey.Profile)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Policy %s\nUser   %s\n", s.Policy.ARN, s.User.ARN)
}

func printSummaryTail(w io.Writer, s setupSummary) {
	if s.Proof != nil && s.Proof.Failed == 0 && s.Proof.Downloaded+s.Proof.Skipped > 0 {
		fmt.Fprintf(w, "Proof: downloaded %d files (%s, %d already there) into %s with the %s\n", s.Proof.Downloaded, ui.HumanBytes(s.Proof.Bytes), s.Proof.Skipped, s.Proof.Dest, s.Proof.With)
	}
	if s.Sandbox {
		fmt.Fprintln(w, "Sandbox: everything above lives in the local emulator and is gone when s3link exits.")
	} else {
		fmt.Fprintf(w, "Record of what was created: %s (used by 's3link teardown')\n", s.Record)
	}
	fmt.Fprintln(w)
	if len(s.Commands) == 0 {
		fmt.Fprintln(w, "Nothing needed creating: everything was already in place.")
		return
	}
	fmt.Fprintln(w, "The same with the AWS CLI:")
	fmt.Fprintln(w, "  "+strings.Join(s.Commands, "\n  "))
}
