package setup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

func TestDeliverKey(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name                string
		csv, profile        bool
		csvTaken, profTaken bool
		want                Delivered
		wantErr             string
		deleted             bool
	}{
		{name: "csv", csv: true, want: Delivered{CSV: true}},
		{name: "profile", profile: true, want: Delivered{Profile: true}},
		{name: "both", csv: true, profile: true, want: Delivered{CSV: true, Profile: true}},
		{name: "csv fails, profile kept", csv: true, profile: true, csvTaken: true, want: Delivered{Profile: true}, wantErr: "was kept: it is saved as profile s3link"},
		{name: "profile fails, csv kept", csv: true, profile: true, profTaken: true, want: Delivered{CSV: true}, wantErr: "was kept: it is saved in"},
		{name: "both fail", csv: true, profile: true, csvTaken: true, profTaken: true, wantErr: "was deleted again", deleted: true},
		{name: "only csv fails", csv: true, csvTaken: true, wantErr: "was deleted again", deleted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := awsopstest.New(t)
			f.AddUser("reader", awsops.KeyInfo{ID: "AKIANEWKEYEXAMPLE", Status: "Active"})
			key := awsops.AccessKey{User: "reader", ID: "AKIANEWKEYEXAMPLE", Secret: awsops.NewSecret(secret)}
			var d Delivery
			if tt.csv {
				d.CSVPath, d.CSVLayout = filepath.Join(dir, "key.csv"), keyfile.LayoutAWSImport
				if tt.csvTaken {
					if err := os.WriteFile(d.CSVPath, nil, 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tt.profile {
				d.CredentialsFile, d.Profile = filepath.Join(dir, "credentials"), "s3link"
				if tt.profTaken {
					if err := os.WriteFile(d.CredentialsFile, []byte("[s3link]\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := DeliverKey(context.Background(), f, Journal{}, d, key)
			if got != tt.want {
				t.Errorf("delivered %+v, want %+v", got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Fatal("error holds the secret")
			}
			keys, _ := f.UserKeys("reader")
			if has := slices.Contains(keys, key.ID); has == tt.deleted {
				t.Errorf("key still there = %v, want deleted = %v", has, tt.deleted)
			}
		})
	}
}
