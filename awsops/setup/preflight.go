package setup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// CheckCSVPath refuses, before any AWS call, a key file path that exists,
// whose folder does not, or whose folder cannot be written: it creates and
// removes a probe file there, so a read-only folder is found before the
// bucket, policy and user exist rather than after.
func CheckCSVPath(path string) error {
	if path == "" {
		return errors.New("no path given for the key file")
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%q already exists; choose another path (s3link never overwrites a credentials file)", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%q cannot be checked (%v); choose another path", path, err)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("folder %q does not exist; create it or choose another path for the key file", dir)
	}
	probe, err := os.CreateTemp(dir, ".s3link-probe-*")
	if err != nil {
		return fmt.Errorf("folder %q cannot be written (%v); choose another path for the key file", dir, errors.Unwrap(err))
	}
	name := probe.Name()
	_ = probe.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("folder %q lets s3link create files but not remove them (%v); choose another path for the key file", dir, err)
	}
	return nil
}

// CheckProfile refuses, before any AWS call, a profile name that cannot be
// added to the shared credentials file at path: one it already holds, a
// name s3link does not accept, or a file that is a symbolic link or does
// not read as INI. It only reads.
func CheckProfile(path, name string) error {
	return keyfile.CheckProfileFree(path, name)
}

// CheckRegion refuses a region for a new bucket that is missing or that
// the partitions s3link knows do not list.
func CheckRegion(region string) error {
	if region == "" {
		return errors.New("no region is set: pass --region, or set one in your profile (aws configure set region REGION), as the AWS CLI requires")
	}
	if err := awsops.ValidateRegion(region); err != nil {
		return err
	}
	if !awsops.KnownRegion(region) {
		return fmt.Errorf("region %q is not in the AWS partitions this build of s3link knows; check the spelling, or upgrade s3link if the region is new", region)
	}
	return nil
}
