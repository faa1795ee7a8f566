package cli

import (
	"context"
	"errors"
)

type wizardInputs struct {
	Bucket, Prefix, PolicyName, UserName string
	Tags                                 []string
	ExistingBucket                       bool
}

func runWizard(ctx context.Context, g *Globals, in wizardInputs) error {
	return errors.New("wizard not built yet")
}
