package awsops

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// fakeS3 answers the bucket calls CreateBucket makes. Embedding the
// interface makes any other call panic, which fails the test loudly.
type fakeS3 struct {
	s3API
	createErr  error
	owned      []string
	headRegion string

	createIn     []*s3.CreateBucketInput
	createRegion []string
	listCalls    int
	tagIn        []*s3.PutBucketTaggingInput
}

func (f *fakeS3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	f.tagIn = append(f.tagIn, in)
	return &s3.PutBucketTaggingOutput{}, nil
}

func (f *fakeS3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, optFns ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	var o s3.Options
	for _, fn := range optFns {
		fn(&o)
	}
	f.createIn = append(f.createIn, in)
	f.createRegion = append(f.createRegion, o.Region)
	if f.createErr != nil {
		return nil, f.createErr
	}
	return &s3.CreateBucketOutput{}, nil
}

func (f *fakeS3) ListBuckets(_ context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	f.listCalls++
	out := &s3.ListBucketsOutput{}
	for _, n := range f.owned {
		if in.Prefix == nil || len(n) >= len(*in.Prefix) && n[:len(*in.Prefix)] == *in.Prefix {
			out.Buckets = append(out.Buckets, s3types.Bucket{Name: aws.String(n), CreationDate: aws.Time(time.Unix(1e9, 0))})
		}
	}
	return out, nil
}

func (f *fakeS3) HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return &s3.HeadBucketOutput{BucketRegion: aws.String(f.headRegion)}, nil
}

func TestCreateBucketRequest(t *testing.T) {
	tests := []struct {
		region         string
		wantConstraint s3types.BucketLocationConstraint
		wantPrecheck   bool
	}{
		// us-east-1 refuses an explicit constraint, and re-creating an
		// owned bucket there succeeds silently, hence the ownership check.
		{"us-east-1", "", true},
		{"eu-west-1", "eu-west-1", false},
		{"ap-southeast-2", "ap-southeast-2", false},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			f := &fakeS3{}
			c := newClient(f, nil, nil, "us-east-1")
			got, err := c.CreateBucket(t.Context(), "media", tt.region, "s3l-test")
			if err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			if got.Region != tt.region || got.Name != "media" {
				t.Fatalf("CreateBucket = %+v, want new in %s", got, tt.region)
			}
			in := f.createIn[0]
			// The setup id rides on the create call itself, and again on a
			// PutBucketTagging right after it.
			if tags := in.CreateBucketConfiguration.Tags; len(tags) != 1 || aws.ToString(tags[0].Key) != SetupTagKey || aws.ToString(tags[0].Value) != "s3l-test" {
				t.Fatalf("CreateBucket tags = %+v, want %s=s3l-test", tags, SetupTagKey)
			}
			if len(f.tagIn) != 1 || aws.ToString(f.tagIn[0].Tagging.TagSet[0].Value) != "s3l-test" {
				t.Fatalf("PutBucketTagging calls = %+v, want one with the setup id", f.tagIn)
			}
			var constraint s3types.BucketLocationConstraint
			if in.CreateBucketConfiguration != nil {
				constraint = in.CreateBucketConfiguration.LocationConstraint
			}
			if constraint != tt.wantConstraint {
				t.Fatalf("LocationConstraint = %q, want %q", constraint, tt.wantConstraint)
			}
			if f.createRegion[0] != tt.region {
				t.Fatalf("request signed for %q, want %q", f.createRegion[0], tt.region)
			}
			if (f.listCalls > 0) != tt.wantPrecheck {
				t.Fatalf("ownership pre-check calls = %d, want pre-check %v", f.listCalls, tt.wantPrecheck)
			}
		})
	}
}

func TestCreateBucketErrors(t *testing.T) {
	tests := []struct {
		name      string
		region    string
		createErr error
		owned     []string
		wantErr   error
	}{
		{
			name: "taken by another account", region: "eu-west-1",
			createErr: opErr("S3", "CreateBucket", &s3types.BucketAlreadyExists{}),
			wantErr:   ErrBucketTaken,
		},
		// A bucket the account already owns is never adopted as new.
		{
			name: "already exists but ours", region: "eu-west-1",
			createErr: opErr("S3", "CreateBucket", &s3types.BucketAlreadyExists{}),
			owned:     []string{"media-old", "media"}, wantErr: ErrBucketOwned,
		},
		{
			name: "already owned by you", region: "eu-west-1",
			createErr: opErr("S3", "CreateBucket", &s3types.BucketAlreadyOwnedByYou{}),
			wantErr:   ErrBucketOwned,
		},
		{
			name: "owned in us-east-1 answers 200, so it is checked first", region: "us-east-1",
			owned: []string{"media"}, wantErr: ErrBucketOwned,
		},
		{
			name: "bad region", region: "xx-nowhere-1",
			createErr: opErr("S3", "CreateBucket", apiErr("InvalidLocationConstraint")),
			wantErr:   ErrInvalidRegion,
		},
		{
			name: "denied", region: "eu-west-1",
			createErr: opErr("S3", "CreateBucket", apiErr("AccessDenied")),
			wantErr:   ErrAccessDenied,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeS3{createErr: tt.createErr, owned: tt.owned, headRegion: "ap-south-1"}
			c := newClient(f, nil, nil, "us-east-1")
			got, err := c.CreateBucket(t.Context(), "media", tt.region, "s3l-test")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CreateBucket: err = %v, want %v", err, tt.wantErr)
			}
			if got.Name != "" {
				t.Fatalf("CreateBucket = %+v on failure, want nothing claimed", got)
			}
		})
	}
}

// fakeIAM answers the key and policy-version calls.
type fakeIAM struct {
	iamAPI
	keyLists   [][]string // successive ListAccessKeys answers
	listCalls  int
	createErr  error
	deleteErr  error
	versionErr error
}

func (f *fakeIAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	ids := f.keyLists[min(f.listCalls, len(f.keyLists)-1)]
	f.listCalls++
	out := &iam.ListAccessKeysOutput{}
	for _, id := range ids {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, iamtypes.AccessKeyMetadata{
			AccessKeyId: aws.String(id), UserName: in.UserName, Status: iamtypes.StatusTypeActive,
			CreateDate: aws.Time(time.Unix(1e9, 0)),
		})
	}
	return out, nil
}

func (f *fakeIAM) GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	return &iam.GetAccessKeyLastUsedOutput{AccessKeyLastUsed: &iamtypes.AccessKeyLastUsed{}}, nil
}

func (f *fakeIAM) CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	return nil, f.createErr
}

func (f *fakeIAM) DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	return nil, f.deleteErr
}

func (f *fakeIAM) CreatePolicy(context.Context, *iam.CreatePolicyInput, ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	return nil, opErr("IAM", "CreatePolicy", &iamtypes.EntityAlreadyExistsException{})
}

func (f *fakeIAM) GetPolicy(_ context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	return &iam.GetPolicyOutput{Policy: &iamtypes.Policy{Arn: in.PolicyArn, DefaultVersionId: aws.String("v1")}}, nil
}

func (f *fakeIAM) GetPolicyVersion(context.Context, *iam.GetPolicyVersionInput, ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error) {
	return &iam.GetPolicyVersionOutput{PolicyVersion: &iamtypes.PolicyVersion{Document: aws.String(`%7B%22a%22%3A1%7D`)}}, nil
}

func (f *fakeIAM) ListPolicyVersions(context.Context, *iam.ListPolicyVersionsInput, ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	return &iam.ListPolicyVersionsOutput{Versions: []iamtypes.PolicyVersion{{VersionId: aws.String("v1"), IsDefaultVersion: true}}}, nil
}

func (f *fakeIAM) CreatePolicyVersion(context.Context, *iam.CreatePolicyVersionInput, ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error) {
	return nil, f.versionErr
}

type fakeSTS struct{}

func (fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{
		Account: aws.String("111122223333"),
		Arn:     aws.String("arn:aws-cn:iam::111122223333:user/admin"),
		UserId:  aws.String("AIDAEXAMPLE"),
	}, nil
}

func TestCreateAccessKeyLimitRace(t *testing.T) {
	// One key when we look, two by the time we create: IAM's
	// LimitExceeded must still come back as a *KeyLimitError.
	f := &fakeIAM{
		keyLists:  [][]string{{"AKIAONE"}, {"AKIAONE", "AKIATWO"}},
		createErr: opErr("IAM", "CreateAccessKey", &iamtypes.LimitExceededException{}),
	}
	c := newClient(nil, f, nil, "us-east-1")
	_, err := c.CreateAccessKey(t.Context(), "alice")
	var limit *KeyLimitError
	if !errors.As(err, &limit) || !errors.Is(err, ErrKeyLimit) {
		t.Fatalf("CreateAccessKey: err = %v, want *KeyLimitError", err)
	}
	ids := []string{limit.Keys[0].ID, limit.Keys[1].ID}
	if limit.User != "alice" || !slices.Equal(ids, []string{"AKIAONE", "AKIATWO"}) {
		t.Fatalf("KeyLimitError = %+v", limit)
	}
}

func TestCreateAccessKeyLimitUpFront(t *testing.T) {
	f := &fakeIAM{keyLists: [][]string{{"AKIAONE", "AKIATWO"}}}
	c := newClient(nil, f, nil, "us-east-1")
	_, err := c.CreateAccessKey(t.Context(), "alice")
	var limit *KeyLimitError
	if !errors.As(err, &limit) || len(limit.Keys) != 2 {
		t.Fatalf("CreateAccessKey with 2 keys: err = %v, want *KeyLimitError with both", err)
	}
}

func TestDeleteAccessKeyGoneIsSuccess(t *testing.T) {
	f := &fakeIAM{deleteErr: opErr("IAM", "DeleteAccessKey", &iamtypes.NoSuchEntityException{})}
	c := newClient(nil, f, nil, "us-east-1")
	if err := c.DeleteAccessKey(t.Context(), "alice", "AKIAGONE"); err != nil {
		t.Fatalf("DeleteAccessKey of a missing key: %v", err)
	}
	f.deleteErr = opErr("IAM", "DeleteAccessKey", apiErr("AccessDenied"))
	if err := c.DeleteAccessKey(t.Context(), "alice", "AKIAX"); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("DeleteAccessKey denied: err = %v, want ErrAccessDenied", err)
	}
}

func TestCreatePolicyVersionLimit(t *testing.T) {
	f := &fakeIAM{versionErr: opErr("IAM", "CreatePolicyVersion", &iamtypes.LimitExceededException{})}
	c := newClient(nil, f, fakeSTS{}, "cn-north-1")
	_, err := c.AddPolicyVersion(t.Context(), "arn:aws-cn:iam::111122223333:policy/access", `{"a":2}`)
	if !errors.Is(err, ErrPolicyVersionLimit) {
		t.Fatalf("AddPolicyVersion: err = %v, want ErrPolicyVersionLimit", err)
	}
}

func TestCreatePolicyNeverAdopts(t *testing.T) {
	c := newClient(nil, &fakeIAM{}, fakeSTS{}, "cn-north-1")
	_, err := c.CreatePolicy(t.Context(), "access", `{"a":2}`, "s3l-test")
	if !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("CreatePolicy of a taken name: err = %v, want ErrAlreadyExists", err)
	}
}

func TestPolicyARNPartition(t *testing.T) {
	c := newClient(nil, &fakeIAM{}, fakeSTS{}, "cn-north-1")
	arn, err := c.policyARN(t.Context(), "access")
	// The partition comes from the caller's ARN, not from a guess.
	if want := "arn:aws-cn:iam::111122223333:policy/access"; err != nil || arn != want {
		t.Fatalf("policy ARN = %q, %v; want %q", arn, err, want)
	}
}

func TestSameDocument(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"A B","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/p+q/*"]}]}`
	tests := []struct {
		name   string
		stored string
		want   bool
	}{
		{"identical", doc, true},
		{"url-encoded", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22A%20B%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AGetObject%22%5D%2C%22Resource%22%3A%5B%22arn%3Aaws%3As3%3A%3A%3Ab%2Fp%2Bq%2F%2A%22%5D%7D%5D%7D", true},
		{"literal plus stays a plus", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22A%20B%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AGetObject%22%5D%2C%22Resource%22%3A%5B%22arn%3Aaws%3As3%3A%3A%3Ab%2Fp+q%2F%2A%22%5D%7D%5D%7D", true},
		{"reformatted and reordered", "{\n \"Statement\": [{\"Resource\": [\"arn:aws:s3:::b/p+q/*\"], \"Action\": [\"s3:GetObject\"], \"Effect\": \"Allow\", \"Sid\": \"A B\"}],\n \"Version\": \"2012-10-17\"\n}", true},
		{"different resource", `{"Version":"2012-10-17","Statement":[{"Sid":"A B","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/other/*"]}]}`, false},
		{"not json", "%7Bbroken", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameDocument(tt.stored, doc); got != tt.want {
				t.Fatalf("sameDocument = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOldestNonDefault(t *testing.T) {
	at := func(sec int64) *time.Time { return aws.Time(time.Unix(sec, 0)) }
	tests := []struct {
		name     string
		versions []iamtypes.PolicyVersion
		want     string
	}{
		{"oldest by date", []iamtypes.PolicyVersion{
			{VersionId: aws.String("v1"), CreateDate: at(10), IsDefaultVersion: true},
			{VersionId: aws.String("v3"), CreateDate: at(30)},
			{VersionId: aws.String("v2"), CreateDate: at(20)},
		}, "v2"},
		{"same second, lower number", []iamtypes.PolicyVersion{
			{VersionId: aws.String("v10"), CreateDate: at(5)},
			{VersionId: aws.String("v9"), CreateDate: at(5)},
			{VersionId: aws.String("v11"), CreateDate: at(5), IsDefaultVersion: true},
		}, "v9"},
		{"only the default", []iamtypes.PolicyVersion{
			{VersionId: aws.String("v1"), CreateDate: at(1), IsDefaultVersion: true},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := oldestNonDefault(tt.versions)
			if aws.ToString(got.VersionId) != tt.want || ok != (tt.want != "") {
				t.Fatalf("oldestNonDefault = %q, %v; want %q", aws.ToString(got.VersionId), ok, tt.want)
			}
		})
	}
}

// isolateAWSEnv points the SDK at empty shared files and clears every
// variable that could supply credentials or an endpoint.
func isolateAWSEnv(t *testing.T, config string) {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, k := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	// Off EC2 the metadata service would only time out.
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestLoadAWSConfigProfiles(t *testing.T) {
	isolateAWSEnv(t, "[profile work]\nregion = eu-central-1\n[profile bare]\n")
	ctx := t.Context()

	_, err := LoadAWSConfig(ctx, Config{Profile: "nope"})
	if !errors.Is(err, ErrNoProfile) || !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("missing profile: err = %v, want ErrNoProfile", err)
	}
	cfgFile, credsFile := SharedFiles()
	if want := `profile "nope" is not in ` + cfgFile + ` or ` + credsFile; err.Error() != want {
		t.Fatalf("missing profile message = %q, want %q", err.Error(), want)
	}

	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Profile: "work"}, "eu-central-1"},
		{Config{Profile: "work", Region: "ap-south-1"}, "ap-south-1"},
		{Config{Profile: "bare"}, "us-east-1"},
		{Config{}, "us-east-1"},
	}
	for _, tt := range tests {
		cfg, err := LoadAWSConfig(ctx, tt.cfg)
		if err != nil {
			t.Fatalf("LoadAWSConfig(%+v): %v", tt.cfg, err)
		}
		if cfg.Region != tt.want {
			t.Fatalf("LoadAWSConfig(%+v).Region = %q, want %q", tt.cfg, cfg.Region, tt.want)
		}
		if cfg.Retryer == nil || cfg.Retryer().MaxAttempts() != maxAttempts {
			t.Fatalf("LoadAWSConfig(%+v): retryer does not make %d attempts", tt.cfg, maxAttempts)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	isolateAWSEnv(t, "")
	c, err := New(t.Context(), Config{EndpointURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = c.WhoAmI(t.Context())
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("WhoAmI without credentials: err = %v, want ErrNoCredentials", err)
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	isolateAWSEnv(t, "")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	conf := Config{
		EndpointURL: "http://" + addr,
		Static:      &StaticCredentials{AccessKeyID: "AKIAEXAMPLE", Secret: NewSecret("not-a-real-secret")},
	}
	cfg, err := LoadAWSConfig(t.Context(), conf)
	if err != nil {
		t.Fatalf("LoadAWSConfig: %v", err)
	}
	// One attempt: the standard retryer would back off for seconds.
	stsc := sts.NewFromConfig(cfg, STSOptions(conf), func(o *sts.Options) { o.RetryMaxAttempts = 1 })
	_, err = newClient(nil, nil, stsc, cfg.Region).WhoAmI(t.Context())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("WhoAmI against a closed port: err = %v, want ErrUnreachable", err)
	}
}

func TestClientOptionsEndpoints(t *testing.T) {
	isolateAWSEnv(t, "")
	ctx := t.Context()
	static := &StaticCredentials{AccessKeyID: "AKIAEXAMPLE", Secret: NewSecret("x")}

	explicit := Config{EndpointURL: "http://127.0.0.1:5000", Static: static}
	cfg, err := LoadAWSConfig(ctx, explicit)
	if err != nil {
		t.Fatal(err)
	}
	so := s3.NewFromConfig(cfg, S3Options(explicit)).Options()
	if aws.ToString(so.BaseEndpoint) != explicit.EndpointURL || !so.UsePathStyle {
		t.Fatalf("S3 with EndpointURL: BaseEndpoint %q, path style %v", aws.ToString(so.BaseEndpoint), so.UsePathStyle)
	}
	if iamOpts := iam.NewFromConfig(cfg, IAMOptions(explicit)).Options(); aws.ToString(iamOpts.BaseEndpoint) != explicit.EndpointURL {
		t.Fatalf("IAM BaseEndpoint = %q", aws.ToString(iamOpts.BaseEndpoint))
	}
	if sto := sts.NewFromConfig(cfg, STSOptions(explicit)).Options(); aws.ToString(sto.BaseEndpoint) != explicit.EndpointURL {
		t.Fatalf("STS BaseEndpoint = %q", aws.ToString(sto.BaseEndpoint))
	}

	plain := Config{Static: static}
	cfg, err = LoadAWSConfig(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	so = s3.NewFromConfig(cfg, S3Options(plain)).Options()
	if so.BaseEndpoint != nil || so.UsePathStyle {
		t.Fatalf("S3 on AWS: BaseEndpoint %v, path style %v; want SDK defaults", so.BaseEndpoint, so.UsePathStyle)
	}

	// The SDK's own variable keeps working and gets path style too.
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
	cfg, err = LoadAWSConfig(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	so = s3.NewFromConfig(cfg, S3Options(plain)).Options()
	if aws.ToString(so.BaseEndpoint) != "http://127.0.0.1:9000" || !so.UsePathStyle {
		t.Fatalf("S3 with AWS_ENDPOINT_URL_S3: BaseEndpoint %q, path style %v", aws.ToString(so.BaseEndpoint), so.UsePathStyle)
	}
	if iamOpts := iam.NewFromConfig(cfg, IAMOptions(plain)).Options(); iamOpts.BaseEndpoint != nil {
		t.Fatalf("AWS_ENDPOINT_URL_S3 leaked into IAM: %q", aws.ToString(iamOpts.BaseEndpoint))
	}
}
