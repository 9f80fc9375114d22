// What most feature files use: results and problems (Http), the data source and its SQL (Npgsql, Dapper, Data), the
// caller (its claims, account and role: Accounts), and the limits every route names (RateLimiting).
global using System.Security.Claims;
global using Dapper;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Npgsql;
global using TrainingPlatform.Api.Accounts;
global using TrainingPlatform.Api.Data;
global using TrainingPlatform.Api.Http;
global using TrainingPlatform.Api.RateLimiting;
