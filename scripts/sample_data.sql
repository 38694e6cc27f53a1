-- The walk-through's sample data: house sales, generated deterministically.
--
-- house_sales       20,000 sales of 2024 and 2025
-- house_sales_2026   3,000 sales of early 2026, when prices rose about 8%
--                    and distance to the centre began to matter more

-- n sales with ids from first_id, dates from first_day over days; the price
-- is the 2024 market's times level, minus distance_premium per km
CREATE FUNCTION pg_temp.house_sales(n int, first_id int, first_day date, days int,
                                    level float8, distance_premium float8)
RETURNS TABLE (id int, sold_on date, living_area float8, bedrooms int, bathrooms int,
               age_years int, lot_size int, has_garage boolean, distance_km float8, price int)
LANGUAGE sql VOLATILE AS $$
SELECT id, sold_on, living_area, bedrooms, bathrooms, age_years, lot_size, has_garage, distance_km,
       round(level * (50000 + 2800 * living_area + 15000 * bathrooms - 900 * age_years + 20 * lot_size
                      + 12000 * has_garage::int - 4500 * distance_km)
             - distance_premium * distance_km
             + 20000 * (random() + random() + random() + random() - 2))::int
  FROM (SELECT first_id + g AS id,
               first_day + (g % days) AS sold_on,
               round((40 + 160 * random())::numeric, 1)::float8 AS living_area,
               (1 + floor(random() * 5))::int AS bedrooms,
               (1 + floor(random() * 3))::int AS bathrooms,
               floor(random() * 80)::int AS age_years,
               CASE WHEN random() < 0.3 THEN 0 ELSE round(200 + 1800 * random()) END::int AS lot_size,
               random() < 0.4 AS has_garage,
               round((0.5 + 29.5 * random())::numeric, 2)::float8 AS distance_km
          FROM generate_series(1, n) g) s
$$;

SELECT setseed(0.42);
CREATE TABLE house_sales AS SELECT * FROM pg_temp.house_sales(20000, 0, '2024-01-01', 731, 1.0, 0);
CREATE TABLE house_sales_2026 AS SELECT * FROM pg_temp.house_sales(3000, 100000, '2026-01-01', 90, 1.08, 2500);
ALTER TABLE house_sales ADD PRIMARY KEY (id);
ALTER TABLE house_sales_2026 ADD PRIMARY KEY (id);
ANALYZE house_sales, house_sales_2026;
