using System.Diagnostics.CodeAnalysis;
using Crawler.Storage.Postgres;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Crawler.Storage;

// The data annotations of the options, checked by generated code: the reflection-based ValidateDataAnnotations()
// does not survive ahead-of-time compilation.
[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

[OptionsValidator]
internal sealed partial class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>;

[OptionsValidator]
internal sealed partial class PostgresStoreOptionsValidator : IValidateOptions<PostgresStoreOptions>;

public static class OptionsBuilderValidationExtensions
{
    /// <summary>Validates the options with <typeparamref name="TValidator"/>, a generated <c>[OptionsValidator]</c>.</summary>
    public static OptionsBuilder<TOptions> ValidateAnnotationsWith<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this OptionsBuilder<TOptions> builder)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }
}
