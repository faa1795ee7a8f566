package awsops

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The identity says what really set the region and the endpoint: an
// environment region is never called the profile's.
func TestRegionAndEndpointSource(t *testing.T) {
	static := &StaticCredentials{AccessKeyID: "AKIDEXAMPLE", Secret: NewSecret("secret")}
	tests := []struct {
		name         string
		env          map[string]string
		cfg          Config
		region, from string
		endpoint     string
		endpointFrom string
	}{
		{name: "flag", cfg: Config{Profile: "work", Region: "ap-south-1"}, region: "ap-south-1", from: "--region"},
		{name: "AWS_REGION", env: map[string]string{"AWS_REGION": "eu-west-3"}, cfg: Config{Profile: "work"}, region: "eu-west-3", from: "AWS_REGION"},
		{name: "AWS_DEFAULT_REGION", env: map[string]string{"AWS_DEFAULT_REGION": "eu-north-1"}, cfg: Config{Profile: "work"}, region: "eu-north-1", from: "AWS_DEFAULT_REGION"},
		{name: "profile", cfg: Config{Profile: "work"}, region: "eu-central-1", from: "profile work"},
		{name: "nothing", cfg: Config{Profile: "bare"}},
		{name: "endpoint flag", cfg: Config{Profile: "work", EndpointURL: "http://127.0.0.1:5000"}, region: "eu-central-1", from: "profile work", endpoint: "http://127.0.0.1:5000", endpointFrom: "--endpoint-url"},
		{name: "endpoint env", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, cfg: Config{Profile: "work"}, region: "eu-central-1", from: "profile work", endpoint: "http://127.0.0.1:4566", endpointFrom: "AWS_ENDPOINT_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWSEnv(t, "[profile work]\nregion = eu-central-1\n[profile bare]\n")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg := tt.cfg
			cfg.Static = static
			c, err := New(t.Context(), cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			c.sts = fakeSTS{}
			id, err := c.WhoAmI(t.Context())
			if err != nil {
				t.Fatalf("WhoAmI: %v", err)
			}
			if id.Region != tt.region || id.RegionSource != tt.from {
				t.Errorf("region %q from %q, want %q from %q", id.Region, id.RegionSource, tt.region, tt.from)
			}
			if id.Endpoint != tt.endpoint || id.EndpointSource != tt.endpointFrom {
				t.Errorf("endpoint %q from %q, want %q from %q", id.Endpoint, id.EndpointSource, tt.endpoint, tt.endpointFrom)
			}
		})
	}
}

// foldersS3 pages common prefixes two at a time.
type foldersS3 struct {
	s3API
	prefixes []string
	in       []*s3.ListObjectsV2Input
}

func (f *foldersS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.in = append(f.in, in)
	start := 0
	if in.ContinuationToken != nil {
		start = int(aws.ToString(in.ContinuationToken)[0] - '0')
	}
	end := min(start+2, len(f.prefixes))
	out := &s3.ListObjectsV2Output{}
	for _, p := range f.prefixes[start:end] {
		out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(p)})
	}
	if end < len(f.prefixes) {
		out.IsTruncated = aws.Bool(true)
		out.NextContinuationToken = aws.String(string(rune('0' + end)))
	}
	return out, nil
}

func TestListFolders(t *testing.T) {
	f := &foldersS3{prefixes: []string{"photos/2025/", "photos/2026/", "photos/raw/"}}
	c := newClient(f, nil, nil, "us-east-1")
	got, err := c.ListFolders(t.Context(), "acme", "/photos/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, f.prefixes) {
		t.Errorf("folders = %v, want all pages %v", got, f.prefixes)
	}
	if len(f.in) != 2 || aws.ToString(f.in[0].Prefix) != "photos/" || aws.ToString(f.in[0].Delimiter) != "/" {
		t.Errorf("listing calls: %d, first prefix %q delimiter %q", len(f.in), aws.ToString(f.in[0].Prefix), aws.ToString(f.in[0].Delimiter))
	}
	if _, err := c.ListFolders(t.Context(), "acme", ""); err != nil || f.in[2].Prefix != nil {
		t.Errorf("root listing: err %v, prefix %v; want no prefix", err, f.in[2].Prefix)
	}
}
