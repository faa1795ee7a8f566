package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// BuildInfo is what the binary knows about its own build.
type BuildInfo struct {
	Version   string // the module version, or Version when stamped, or "dev"
	Revision  string // VCS revision, "" when unknown
	Time      string // VCS commit time, "" when unknown
	Modified  bool   // the work tree had changes
	GoVersion string
	Platform  string // GOOS/GOARCH
}

// readBuildInfo reads the build information Go embeds in every binary.
func readBuildInfo() BuildInfo {
	b := BuildInfo{Version: Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// Short is the one line --version prints.
func (b BuildInfo) Short() string {
	var extra []string
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if b.Modified {
			rev += "+changes"
		}
		extra = append(extra, "commit "+rev)
	}
	if b.Time != "" {
		extra = append(extra, b.Time)
	}
	extra = append(extra, b.GoVersion, b.Platform)
	return fmt.Sprintf("s3link %s (%s)", b.Version, strings.Join(extra, ", "))
}

// versionReport is the --json output of `s3link version`
// (jsonschema/version.json).
type versionReport struct {
	report
	// S3linkVersion is the build's version; "version" is the contract's.
	S3linkVersion string `json:"s3linkVersion"`
	Revision      string `json:"revision"`
	Time          string `json:"time"`
	Modified      bool   `json:"modified"`
	GoVersion     string `json:"goVersion"`
	Platform      string `json:"platform"`
}

// versionOptions are the flags of `s3link version`.
type versionOptions struct {
	JSON bool
}

// newCmdVersion is `s3link version`; runF, when not nil, gets the parsed
// options instead of the version being printed.
func newCmdVersion(_ *Factory, runF func(*versionOptions) error) *cobra.Command {
	o := &versionOptions{}
	cmd := &cobra.Command{
		Use:         "version",
		Short:       "Print the version, the commit it was built from, and the Go version",
		Example:     "  s3link version\n  s3link --version\n  s3link version --json",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoAWS: "yes"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			b := readBuildInfo()
			w := cmd.OutOrStdout()
			if o.JSON {
				return printReport(cmd.Context(), w, &versionReport{report: newReport("version"), S3linkVersion: b.Version,
					Revision: b.Revision, Time: b.Time, Modified: b.Modified, GoVersion: b.GoVersion, Platform: b.Platform}, nil)
			}
			fmt.Fprintf(w, "s3link %s\n", b.Version)
			rev := b.Revision
			if rev == "" {
				rev = "unknown (built outside a git checkout)"
			} else if b.Modified {
				rev += " (with uncommitted changes)"
			}
			fmt.Fprintf(w, "commit:   %s\n", rev)
			if b.Time != "" {
				fmt.Fprintf(w, "built at: %s\n", b.Time)
			}
			fmt.Fprintf(w, "go:       %s\nplatform: %s\n", b.GoVersion, b.Platform)
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the build information as JSON")
	return cmd
}
