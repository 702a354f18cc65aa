// Package config stands in for FlytePropeller's controller config, which flytek8s reads only to build the
// literal-offloading environment variables of a new pod (GetLiteralOffloadingEnvVars). The oracle never builds
// pods, so offloading is reported as disabled; nothing on the phase path reads this package.
package config

// LiteralOffloadingConfig carries the fields flytek8s reads.
type LiteralOffloadingConfig struct {
	Enabled                  bool
	MinSizeInMBForOffloading int64
	MaxSizeInMBForOffloading int64
}

// Config is the part of FlytePropeller's controller config that flytek8s reads.
type Config struct {
	LiteralOffloadingConfig LiteralOffloadingConfig
}

var disabled = &Config{}

// GetConfig returns a config with literal offloading disabled.
func GetConfig() *Config { return disabled }
