package upload

// Source returns the folder the engine uploads, as given to New; a
// progress screen names it.
func (e *Engine) Source() string { return e.dir }

// Destination returns the bucket and the normalised prefix the engine
// uploads into; a progress screen names them.
func (e *Engine) Destination() (bucket, prefix string) { return e.opts.Bucket, e.opts.Prefix }
