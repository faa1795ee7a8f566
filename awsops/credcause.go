package awsops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go"
)

// SharedFiles returns the shared config and credentials files the SDK
// reads: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, or ~/.aws/config
// and ~/.aws/credentials. A path is "" only when there is no home folder.
func SharedFiles() (configFile, credentialsFile string) {
	home, _ := os.UserHomeDir()
	configFile = os.Getenv("AWS_CONFIG_FILE")
	if configFile == "" && home != "" {
		configFile = filepath.Join(home, ".aws", "config")
	}
	credentialsFile = os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credentialsFile == "" && home != "" {
		credentialsFile = filepath.Join(home, ".aws", "credentials")
	}
	return configFile, credentialsFile
}

// Credential sources a CredentialError names.
const (
	SourceProcess    = "credential_process"
	SourceSSO        = "sso"
	SourceAssumeRole = "assume-role"
)

// CredentialError says which credential source of which profile failed and
// why, so the user gets the fix for that source rather than "no
// credentials". Cause is one line, trimmed, with anything that looks like a
// key or token taken out.
type CredentialError struct {
	Source     string // SourceProcess, SourceSSO or SourceAssumeRole
	Profile    string
	SSOSession string // the sso-session of an SSO profile that has one
	RoleARN    string // the role an assume-role profile assumes
	Cause      string
	// Unreachable is true when the source could not reach its service
	// (STS, the SSO portal): a network fault, not a configuration one.
	Unreachable bool
	// Refused is true when the SSO portal took the token but refused the
	// profile's account or role.
	Refused bool

	sentinel error
	err      error
}

// Error implements error.
func (e *CredentialError) Error() string {
	var what string
	switch e.Source {
	case SourceProcess:
		what = fmt.Sprintf("the credential_process of profile %q failed", e.Profile)
	case SourceSSO:
		if e.Refused || e.Unreachable {
			what = fmt.Sprintf("the SSO portal did not give profile %q its role credentials", e.Profile)
		} else if e.SSOSession != "" {
			what = fmt.Sprintf("the SSO token of sso-session %q (profile %q) is missing or expired", e.SSOSession, e.Profile)
		} else {
			what = fmt.Sprintf("the SSO token of profile %q is missing or expired", e.Profile)
		}
	default:
		role := "a role"
		if e.RoleARN != "" {
			role = e.RoleARN
		}
		what = fmt.Sprintf("assuming %s for profile %q failed", role, e.Profile)
	}
	if e.Cause != "" {
		what += ": " + e.Cause
	}
	return what
}

// Unwrap makes errors.Is find the broad sentinel (ErrNoCredentials,
// ErrExpiredCredentials or ErrUnreachable) and errors.As the SDK's error.
func (e *CredentialError) Unwrap() []error { return []error{e.sentinel, e.err} }

// credentialSource is what loadAWSConfig learnt of the profile behind the
// credential chain, for classifying its failures.
type credentialSource struct {
	kind       string // one of the Source constants, or "" for others
	profile    string
	ssoSession string
	roleARN    string
	process    *processProvider
}

// sourceOf finds which provider the SDK chose and the profile it came from.
func sourceOf(cfg aws.Config) credentialSource {
	var src credentialSource
	for _, s := range cfg.ConfigSources {
		if sc, ok := s.(config.SharedConfig); ok {
			src.profile = sc.Profile
			src.ssoSession = sc.SSOSessionName
			src.roleARN = sc.RoleARN
			if sc.CredentialProcess != "" {
				src.process = &processProvider{command: sc.CredentialProcess}
			}
			break
		}
	}
	cache, ok := cfg.Credentials.(*aws.CredentialsCache)
	if !ok {
		return src
	}
	switch {
	case cache.IsCredentialsProvider((*stscreds.AssumeRoleProvider)(nil)):
		src.kind = SourceAssumeRole
		src.process = nil
	case cache.IsCredentialsProvider((*ssocreds.Provider)(nil)):
		src.kind = SourceSSO
		src.process = nil
	case cache.IsCredentialsProvider((*processcreds.Provider)(nil)):
		src.kind = SourceProcess
	default:
		src.process = nil
	}
	if src.kind == SourceProcess && src.process == nil {
		src.kind = ""
	}
	return src
}

// classify turns a credential-chain failure into a *CredentialError when
// the source is one s3link can say more about, else nil.
func (s credentialSource) classify(err error) *CredentialError {
	if s.kind == "" || errors.Is(err, context.Canceled) {
		return nil
	}
	ce := &CredentialError{Source: s.kind, Profile: s.profile, SSOSession: s.ssoSession, RoleARN: s.roleARN, err: err}
	switch s.kind {
	case SourceProcess:
		ce.sentinel = ErrNoCredentials
		cause := processCause(err)
		if s.process != nil {
			if tail := s.process.lastStderr(); tail != "" {
				cause += ": " + tail
			}
		}
		ce.Cause = scrubCause(cause)
	case SourceSSO:
		ce.sentinel = ErrExpiredCredentials
		var apiErr smithy.APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.ErrorCode() != "UnauthorizedException":
			// The token was good; the portal refused the account or
			// role (ForbiddenException, ResourceNotFoundException).
			ce.Refused, ce.sentinel = true, ErrAccessDenied
			ce.Cause = scrubCause(apiErr.ErrorCode() + ": " + apiErr.ErrorMessage())
		case isUnreachable(err):
			ce.Unreachable, ce.sentinel = true, ErrUnreachable
			ce.Cause = networkCause(err)
		}
	case SourceAssumeRole:
		ce.sentinel = ErrNoCredentials
		var apiErr smithy.APIError
		switch {
		case errors.As(err, &apiErr):
			ce.Cause = scrubCause(apiErr.ErrorCode() + ": " + apiErr.ErrorMessage())
		case isProcessFailure(err):
			// The source profile's credential_process failed.
			cause := processCause(err)
			ce.Cause = scrubCause("the source profile's credential_process: " + cause)
		case isUnreachable(err):
			ce.Unreachable, ce.sentinel = true, ErrUnreachable
			ce.Cause = networkCause(err)
		default:
			ce.Cause = scrubCause(err.Error())
		}
	}
	return ce
}

// isProcessFailure reports whether err comes from a credential_process.
func isProcessFailure(err error) bool {
	var pe *processcreds.ProviderError
	return errors.As(err, &pe)
}

// processCause is the cause of a credential_process failure in a few
// words: the exit status, or what is wrong with the output. The SDK's own
// text for bad output quotes the whole output, which may hold a secret, so
// that is never used.
func processCause(err error) string {
	var pe *processcreds.ProviderError
	if !errors.As(err, &pe) || pe.Err == nil {
		return scrubCause(strings.TrimPrefix(err.Error(), "error in credential_process: "))
	}
	cause := pe.Err.Error()
	if strings.HasPrefix(cause, "parse failed of process output") {
		cause = "its output is not the credential JSON it must print"
		if inner := errors.Unwrap(pe.Err); inner != nil {
			cause += " (" + inner.Error() + ")"
		}
	}
	return strings.TrimPrefix(cause, "error in credential_process: ")
}

// networkCause names the network fault in err in a few words: the dial or
// DNS error's own text, without the SDK's retry and operation wrapping.
func networkCause(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return scrubCause(dnsErr.Error())
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return scrubCause(opErr.Error())
	}
	return scrubCause(err.Error())
}

var (
	// secretLike matches runs long enough to be a key, token or signature.
	secretLike = regexp.MustCompile(`[A-Za-z0-9/+=_\-]{20,}`)
	// secretAssign matches "secret=...", "token: ..." and the like.
	secretAssign = regexp.MustCompile(`(?i)((?:secret|token|password|passwd)[A-Za-z_]*["']?\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)`)
)

// scrubCause keeps a cause to one short line and takes out anything that
// looks like a secret: long key-like runs and values assigned to
// secret-sounding names.
func scrubCause(s string) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)), " ")
	s = secretAssign.ReplaceAllString(s, "${1}[hidden]")
	s = secretLike.ReplaceAllStringFunc(s, func(w string) string {
		if strings.ContainsAny(w, "0123456789") && strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return "[hidden]"
		}
		return w
	})
	const maxLen = 160
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}

// processProvider runs a profile's credential_process the way the SDK does
// (through the shell, with the terminal's stdin and stderr, so prompts
// still show) and also keeps the end of what it wrote to stderr, so a
// failure can say why.
type processProvider struct {
	command string

	mu     sync.Mutex
	stderr *tailBuffer
}

// provider returns the SDK provider running p's command.
func (p *processProvider) provider() aws.CredentialsProvider {
	return processcreds.NewProviderCommand(processcreds.NewCommandBuilderFunc(p.newCommand))
}

func (p *processProvider) newCommand(ctx context.Context) (*exec.Cmd, error) {
	shell := []string{"sh", "-c"}
	if runtime.GOOS == "windows" {
		shell = []string{"cmd.exe", "/C"}
	}
	cmd := exec.CommandContext(ctx, shell[0], shell[1], p.command)
	cmd.Env = os.Environ()
	tail := &tailBuffer{}
	p.mu.Lock()
	p.stderr = tail
	p.mu.Unlock()
	cmd.Stderr = teeWriter{os.Stderr, tail}
	cmd.Stdin = os.Stdin
	return cmd, nil
}

// lastStderr is the last non-empty line the latest run wrote to stderr,
// scrubbed.
func (p *processProvider) lastStderr() string {
	p.mu.Lock()
	tail := p.stderr
	p.mu.Unlock()
	if tail == nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(tail.String()), "\n")
	return scrubCause(lines[len(lines)-1])
}

// teeWriter writes to both; the terminal's failures do not stop the tail.
type teeWriter struct {
	term *os.File
	tail *tailBuffer
}

func (w teeWriter) Write(b []byte) (int, error) {
	_, _ = w.tail.Write(b)
	if w.term != nil {
		_, _ = w.term.Write(b)
	}
	return len(b), nil
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	const keep = 4 << 10
	t.buf.Write(b)
	if t.buf.Len() > keep {
		rest := append([]byte(nil), t.buf.Bytes()[t.buf.Len()-keep:]...)
		t.buf.Reset()
		t.buf.Write(rest)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
