using Crawler.Storage.Postgres;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
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
    /// <summary>
    /// Validates the options with <typeparamref name="TValidator"/>, a generated <c>[OptionsValidator]</c>, its failures
    /// named by configuration key ("Crawler:Frontier:RetryBaseDelay: ..."): several sections share property names.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateAnnotationsWith<TOptions, TValidator>(this OptionsBuilder<TOptions> builder, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(new TValidator(), section));
        return builder;
    }

    private sealed class SectionValidator<TOptions>(IValidateOptions<TOptions> inner, string section) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var result = inner.Validate(name, options);
            return result.Failed ? ValidateOptionsResult.Fail(result.Failures.Select(f => $"{section}:{f}")) : result;
        }
    }
}
