using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Gozar.Configuration;

/// <summary>
/// Source-generated metadata for reading TOML into the untyped <see cref="TomlTable"/> model, so
/// parsing needs no reflection (NativeAOT).
/// </summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModelContext : TomlSerializerContext;
